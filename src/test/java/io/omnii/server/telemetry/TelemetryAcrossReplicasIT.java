package io.omnii.server.telemetry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.omnii.server.testsupport.MosquittoServer;
import io.omnii.server.testsupport.Ports;
import io.omnii.server.testsupport.PostgresServer;
import io.omnii.server.testsupport.ServerProcess;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two packaged servers (distinct client ids) in one shared subscription group against one PostgreSQL and one
 * Mosquitto; a fleet publishes metrics at QoS 1 and one replica leaves a third of the way in: killed and never back
 * (its session adopted by the other), killed and restarted under its own id (it drains its own session), or stopped
 * gracefully (it drains before it goes). In each case every message is committed exactly once, and both replicas
 * took a share (docs/mqtt.md#replicas).
 */
class TelemetryAcrossReplicasIT {

    private static final Logger LOG = Logger.getLogger(TelemetryAcrossReplicasIT.class);
    private static final Path DIR = Path.of("target", "it-services", "TelemetryAcrossReplicasIT");
    private static final String TOKEN = "it-admin-token-0123456789abcdef";
    private static final int INSTANCES = 10;
    private static final int MESSAGES = 3_000;

    static PostgresServer postgres;
    static MosquittoServer broker;
    private final List<ServerProcess> running = new ArrayList<>();
    private ServerProcess a;
    private ServerProcess b;

    @BeforeAll
    static void services() throws Exception {
        postgres = PostgresServer.start(DIR.resolve("postgres"), false, Map.of("fsync", "off"));
        Files.deleteIfExists(DIR.resolve("mosquitto").resolve("mosquitto.db"));
        broker = MosquittoServer.start(DIR.resolve("mosquitto"), Ports.free());
    }

    @AfterAll
    static void stopServices() throws Exception {
        broker.close();
        postgres.close();
    }

    @AfterEach
    void stopServers() throws Exception {
        for (ServerProcess s : running) {
            s.stop();
        }
        running.clear();
    }

    @Test
    void aReplicaKilledAndNeverBackHasItsSessionAdoptedAndEveryMessageIsCommittedOnce() throws Exception {
        startReplicas("killed", "3s");
        List<String> ids = enroll();
        Mqtt5BlockingClient fleet = fleet();
        publish(fleet, ids, 0, MESSAGES / 3);
        double bShare = awaitShare(b);
        b.kill();
        long killed = System.nanoTime();
        publish(fleet, ids, MESSAGES / 3, MESSAGES);

        awaitRows(ids, MESSAGES, Duration.ofSeconds(60));
        long millis = (System.nanoTime() - killed) / 1_000_000;
        LOG.infof("Killed, never back: %d rows of %d; B had accepted %.0f before the kill; %d ms from the kill to the "
                + "last row; A adopted %.0f session(s), %.0f messages from it", rows(ids), MESSAGES, bShare, millis,
                counter(a, "omnii_mqtt_sessions_adopted_total"), counter(a, "omnii_mqtt_adopted_messages_total"));
        assertThat(rows(ids)).as("metrics rows, each message once").isEqualTo(MESSAGES);
        assertThat(bShare).as("the killed replica's share before the kill").isPositive();
        assertThat(accepted(a)).as("the remaining replica's share").isPositive();
        assertThat(counter(a, "omnii_mqtt_sessions_adopted_total")).isEqualTo(1);
        assertThat(counter(a, "omnii_mqtt_adopted_messages_total")).isPositive();
        assertPresence(fleet, ids);
    }

    @Test
    void aReplicaKilledAndRestartedUnderItsOwnIdDrainsItsOwnSession() throws Exception {
        // A lease longer than the restart: the replica is back before anyone takes it for gone.
        startReplicas("restarted", "60s");
        List<String> ids = enroll();
        Mqtt5BlockingClient fleet = fleet();
        publish(fleet, ids, 0, MESSAGES / 3);
        double bShare = awaitShare(b);
        b.kill();
        publish(fleet, ids, MESSAGES / 3, MESSAGES);
        long restart = System.nanoTime();
        b.start(DIR.resolve("restarted-b.log"));
        b.awaitReady(Duration.ofSeconds(90));

        awaitRows(ids, MESSAGES, Duration.ofSeconds(60));
        LOG.infof("Killed and restarted: %d rows of %d; B accepted %.0f before the kill and %.0f from its session "
                + "after the restart; %d ms from the restart to the last row", rows(ids), MESSAGES, bShare,
                accepted(b), (System.nanoTime() - restart) / 1_000_000);
        assertThat(rows(ids)).as("metrics rows, each message once").isEqualTo(MESSAGES);
        assertThat(bShare).isPositive();
        assertThat(accepted(b)).as("what the restarted replica drained from its own session").isPositive();
        assertThat(accepted(a)).isPositive();
        assertThat(counter(a, "omnii_mqtt_sessions_adopted_total")).as("nothing was departed").isZero();
        assertPresence(fleet, ids);
    }

    @Test
    void aReplicaStoppedGracefullyMidStreamStrandsNothing() throws Exception {
        startReplicas("stopped", "3s");
        List<String> ids = enroll();
        Mqtt5BlockingClient fleet = fleet();
        publish(fleet, ids, 0, MESSAGES / 3);
        double bShare = awaitShare(b);
        Thread rest = new Thread(() -> publish(fleet, ids, MESSAGES / 3, MESSAGES));
        rest.start();
        running.remove(b);
        long stop = System.nanoTime();
        int exit = b.stop(); // SIGTERM while the fleet goes on publishing
        long stopMillis = (System.nanoTime() - stop) / 1_000_000;
        rest.join();

        awaitRows(ids, MESSAGES, Duration.ofSeconds(30));
        LOG.infof("Stopped gracefully: %d rows of %d; B accepted %.0f before its stop, which took %d ms (exit %d)",
                rows(ids), MESSAGES, bShare, stopMillis, exit);
        assertThat(rows(ids)).as("metrics rows, each message once").isEqualTo(MESSAGES);
        assertThat(bShare).isPositive();
        assertThat(accepted(a)).isPositive();
        assertThat(counter(a, "omnii_mqtt_sessions_adopted_total")).as("nothing left to adopt").isZero();
        assertPresence(fleet, ids);
    }

    private void startReplicas(String name, String lease) throws Exception {
        a = replica(name + "-a", lease);
        b = replica(name + "-b", lease);
        a.start(DIR.resolve(name + "-a.log"));
        b.start(DIR.resolve(name + "-b.log"));
        a.awaitReady(Duration.ofSeconds(90));
        b.awaitReady(Duration.ofSeconds(90));
        running.add(a);
        running.add(b);
    }

    private ServerProcess replica(String clientId, String lease) {
        return new ServerProcess(postgres, broker.port(), TOKEN, Ports.free(), Ports.free(), false)
                .env("OMNII_MQTT_CLIENT_ID", clientId)
                .env("OMNII_REPLICAS_LEASE", lease)
                .env("OMNII_REPLICAS_HEARTBEAT_INTERVAL", "500ms");
    }

    private List<String> enroll() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            String code = given().baseUri(a.apiUrl()).header("Authorization", "Bearer " + TOKEN)
                    .contentType(ContentType.JSON).body("{}").post("/enrollment-codes").then().statusCode(201)
                    .extract().path("code");
            ids.add(given().baseUri(a.apiUrl()).contentType(ContentType.JSON)
                    .body(Map.of("code", code, "name", "Replica test " + i)).post("/enroll")
                    .then().statusCode(200).extract().path("instanceId"));
        }
        return ids;
    }

    /** One client publishing for every instance (the test broker checks no accounts). */
    private static Mqtt5BlockingClient fleet() {
        Mqtt5BlockingClient fleet = MqttClient.builder().useMqttVersion5().identifier("fleet-" + System.nanoTime())
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        fleet.connect();
        return fleet;
    }

    /** Messages from..to-1, each a metrics report of instance n % INSTANCES at its own timestamp; QoS 1, in order. */
    private static void publish(Mqtt5BlockingClient fleet, List<String> ids, int from, int to) {
        long base = System.currentTimeMillis() - 10L * MESSAGES * 1000;
        for (int n = from; n < to; n++) {
            fleet.publishWith().topic("ha-instances/" + ids.get(n % ids.size()) + "/metrics")
                    .qos(MqttQos.AT_LEAST_ONCE).payload(TelemetryIngestTest.metrics(base + n * 1000L, 0.9, "\"n\": " + n)
                            .getBytes(StandardCharsets.UTF_8)).send();
        }
    }

    /** Every instance reports itself online once: each ends online, whichever replica took its heartbeat. */
    private void assertPresence(Mqtt5BlockingClient fleet, List<String> ids) throws Exception {
        long now = System.currentTimeMillis();
        for (String id : ids) {
            fleet.publishWith().topic("ha-instances/" + id + "/heartbeat").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("{\"status\":\"online\",\"uptime\":120,\"timestamp\":" + now + "}")
                            .getBytes(StandardCharsets.UTF_8)).send();
        }
        fleet.disconnect();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> count(
                "SELECT count(*) FROM instance WHERE status = 'online' AND id IN (" + in(ids) + ")") == ids.size());
    }

    /** What the replica has committed once it has committed something (a young JVM may take a moment). */
    private static double awaitShare(ServerProcess server) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> accepted(server) > 0);
        try {
            return accepted(server);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitRows(List<String> ids, int expected, Duration within) {
        try {
            Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> rows(ids) >= expected);
            Thread.sleep(1000); // anything beyond it would show now
        } catch (ConditionTimeoutException | InterruptedException e) {
            // the exact count that follows says how many are missing
        }
    }

    private static long rows(List<String> ids) throws Exception {
        return count("SELECT count(*) FROM metrics_sample WHERE instance_id IN (" + in(ids) + ")");
    }

    private static String in(List<String> ids) {
        return String.join(",", ids.stream().map(id -> "'" + id + "'").toList());
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, "");
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double accepted(ServerProcess server) throws IOException, InterruptedException {
        return counter(server, "omnii_mqtt_messages_accepted_total\\{kind=\"metrics\"");
    }

    /** A counter's value on one replica's /q/metrics (the first series matching the name and label prefix). */
    private static double counter(ServerProcess server, String series) throws IOException, InterruptedException {
        String body = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.managementUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("^" + series + "[^ ]* ([0-9.E]+)$", Pattern.MULTILINE).matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
