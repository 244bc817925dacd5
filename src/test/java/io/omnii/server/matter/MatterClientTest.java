package io.omnii.server.matter;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.matter.peer.MatterServerPeer;
import io.omnii.server.matter.peer.ServerInfo;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.net.URL;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Matter Server client against the protocol-faithful peer. */
@QuarkusTest
@TestProfile(MatterPeerProfile.class)
class MatterClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    MatterClient client;

    @Inject
    RecordingListener listener;

    @Inject
    ObjectMapper mapper;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL readiness;

    MatterServerPeer peer;

    @BeforeEach
    void connected() {
        peer = MatterPeerProfile.peer();
        awaitListening();
    }

    @AfterEach
    void restorePeer() {
        peer.serverInfo(ServerInfo.MATTERJS_1_4_1);
        peer.start();
        awaitListening();
    }

    private void awaitListening() {
        await().atMost(Duration.ofSeconds(20)).until(() -> client.state().connected());
    }

    private JsonNode send(String command, String args) throws Exception {
        return client.send(command, (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(args), TIMEOUT)
                .toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    @Test
    void onConnectTheClientListensOnceAndHandsOnTheSnapshot() {
        // A connection of its own: other classes on this peer add nodes after the snapshot they connected with.
        int before = listener.snapshots.size();
        peer.dropConnections();
        await().atMost(TIMEOUT).until(() -> listener.snapshots.size() > before && client.state().connected());
        assertThat(client.state().serverInfo().path("schema_version").asInt()).isGreaterThanOrEqualTo(11);
        assertThat(peer.listeningConnections()).isEqualTo(1);
        assertThat(listener.snapshots).isNotEmpty();
        assertThat(listener.snapshots.get(listener.snapshots.size() - 1)).hasSize(peer.nodes().size());
        long perConnection = peer.received("start_listening").stream().map(MatterServerPeer.Received::connection)
                .distinct().count();
        assertThat(peer.received("start_listening")).hasSize((int) perConnection);
    }

    @Test
    void repliesAreMatchedByMessageIdWhenTheyComeOutOfOrder() throws Exception {
        peer.replyDelay("get_nodes", Duration.ofMillis(700));
        try {
            CompletableFuture<JsonNode> slow = client.send("get_nodes", null, TIMEOUT).toCompletableFuture();
            JsonNode info = send("server_info", "{}");
            assertThat(slow).isNotDone();
            assertThat(info.path("schema_version").asInt()).isEqualTo(peer.serverInfo().schemaVersion());
            assertThat(slow.get(5, TimeUnit.SECONDS).isArray()).isTrue();
        } finally {
            peer.replyDelay("get_nodes", Duration.ZERO);
        }
    }

    @Test
    void theServersErrorsComeBackWithTheirCode() {
        CompletableFuture<JsonNode> reply = client.send("get_node",
                mapper.createObjectNode().put("node_id", new BigInteger("18446744073709551615")), TIMEOUT)
                .toCompletableFuture();
        assertThat(reply).failsWithin(TIMEOUT).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(MatterServerException.class)
                .satisfies(e -> assertThat(((MatterServerException) e).errorCode()).isEqualTo(5));
    }

    @Test
    void eventsFollowTheSnapshotInOrder() {
        int before = listener.events.size();
        BigInteger node = peer.addVirtualLight();
        await().atMost(TIMEOUT).until(() -> listener.events.size() > before);
        assertThat(listener.events.subList(before, listener.events.size())).contains("node_added");
        peer.pushEvent("some_future_event", mapper.createObjectNode());
        peer.removeNode(node);
        await().atMost(TIMEOUT).until(() -> listener.events.contains("node_removed"));
    }

    @Test
    void aDroppedConnectionFailsPendingCommandsAtOnceAndResyncs() {
        int snapshots = listener.snapshots.size();
        peer.replyDelay("get_nodes", Duration.ofSeconds(60));
        try {
            CompletableFuture<JsonNode> pending = client.send("get_nodes", null, Duration.ofMinutes(2))
                    .toCompletableFuture();
            peer.dropConnections();
            assertThat(pending).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(MatterServerException.class);
            assertThat(client.send("server_info", null, TIMEOUT).toCompletableFuture())
                    .failsWithin(Duration.ofSeconds(5));
        } finally {
            peer.replyDelay("get_nodes", Duration.ZERO);
        }
        awaitListening();
        await().atMost(TIMEOUT).until(() -> listener.snapshots.size() > snapshots);
    }

    /**
     * A Matter Server that dies or a network cut: the socket ends without a close frame. That is RFC 6455's 1006,
     * and expected, so nothing in our logs says ERROR (Vert.x used to log "Connection was closed" at ERROR for it).
     */
    @Test
    void anAbruptDropIsReportedAs1006AndLogsNoError() {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            peer.dropConnections();
            await().atMost(TIMEOUT).until(() -> records.stream().anyMatch(r -> message(r).startsWith(
                    "Lost the Matter Server: connection closed (")));
            awaitListening();
        } finally {
            root.removeHandler(capture);
        }
        assertThat(records).map(MatterClientTest::message)
                .contains("Lost the Matter Server: connection closed (1006)");
        assertThat(records).filteredOn(r -> r.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(r -> r.getLoggerName() + ": " + message(r)).isEmpty();
    }

    private static String message(LogRecord record) {
        return record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : String.valueOf(record.getMessage());
    }

    /** Too old (schema below 11) and too new (no longer accepting schema 11 clients). */
    @ParameterizedTest
    @CsvSource({ "10, 9", "14, 12" })
    void anUnsupportedServerIsRefused(int schema, int minSupported) {
        peer.serverInfo(ServerInfo.MATTERJS_1_4_1.withSchema(schema, minSupported));
        peer.dropConnections();
        await().atMost(Duration.ofSeconds(20)).until(() -> client.state().lastError().orElse("").contains("unsupported Matter Server: schema " + schema));
        assertThat(client.state().connected()).isFalse();
    }

    @Test
    void theFleetStaysReadyWhileTheMatterServerIsDown() {
        peer.stop();
        await().atMost(TIMEOUT).until(() -> !client.state().connected());
        given().get(readiness).then().statusCode(200)
                .body("checks.find { it.name == 'Matter Server' }.data.connected", equalTo(false));
    }
}
