package io.omnii.server.matter;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.matter.peer.MatterNodeEvent;
import io.omnii.server.matter.peer.MatterServerPeer;
import io.omnii.server.testsupport.MosquittoServer;
import io.omnii.server.testsupport.Ports;
import io.omnii.server.testsupport.PostgresServer;
import io.omnii.server.testsupport.ServerProcess;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Matter relay across three packaged server processes (distinct MQTT client ids) against one PostgreSQL, one
 * Mosquitto and one {@link MatterServerPeer}, which, like the real Matter Server, sends every listening client the
 * events. Each replica keeps its own connection; the leader alone writes the inventory (docs/matter.md#several-replicas).
 * The tests run in order on the same processes: the last ones kill replicas.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MatterAcrossReplicasIT {

    private static final Path DIR = Path.of("target", "it-services", "MatterAcrossReplicasIT");
    private static final String TOKEN = "it-admin-token-0123456789abcdef";
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String QR = "MT:Y.K9042C00KA0648G00";
    private static final Pattern LEADER = Pattern.compile("^omnii_replica_leader(\\{[^}]*})? ([0-9.E]+)$",
            Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicLong EVENT_NUMBERS = new AtomicLong(1_000);

    static PostgresServer postgres;
    static MosquittoServer broker;
    static MatterServerPeer peer;
    static final List<ServerProcess> replicas = new ArrayList<>();
    static final List<ServerProcess> killed = new ArrayList<>();
    static BigInteger light;

    @BeforeAll
    static void services() throws Exception {
        Files.createDirectories(DIR);
        postgres = PostgresServer.start(DIR.resolve("postgres"), false, Map.of("fsync", "off"));
        Files.deleteIfExists(DIR.resolve("mosquitto").resolve("mosquitto.db"));
        broker = MosquittoServer.start(DIR.resolve("mosquitto"), Ports.free());
        peer = new MatterServerPeer().start();
        light = peer.addVirtualLight();
        peer.followUpAfterCommissioning(Duration.ofMillis(200));
        for (int i = 1; i <= 3; i++) {
            ServerProcess server = new ServerProcess(postgres, broker.port(), TOKEN, Ports.free(), Ports.free(), false)
                    .env("OMNII_MQTT_CLIENT_ID", "omnii-it-" + i)
                    .env("OMNII_MATTER_URL", peer.url())
                    .env("OMNII_MATTER_MAX_RECONNECT_DELAY", "2s")
                    .env("OMNII_REPLICAS_LEASE", LEASE.toMillis() + "ms")
                    .env("OMNII_REPLICAS_HEARTBEAT_INTERVAL", HEARTBEAT.toMillis() + "ms");
            server.start(DIR.resolve("server-" + i + ".log"));
            replicas.add(server);
        }
        for (ServerProcess server : replicas) {
            server.awaitReady(Duration.ofSeconds(90));
        }
        await().atMost(TIMEOUT).until(() -> peer.listeningConnections() == 3);
        await().atMost(TIMEOUT).until(() -> leaders().size() == 1);
    }

    @AfterAll
    static void stopServices() throws Exception {
        for (ServerProcess server : replicas) {
            server.stop();
        }
        if (peer != null) {
            peer.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static RequestSpecification admin(ServerProcess server) {
        return given().baseUri(server.apiUrl()).header("Authorization", "Bearer " + TOKEN)
                .contentType(ContentType.JSON);
    }

    /** omnii_replica_leader of each live replica: 1 on the leader. */
    private static boolean leads(ServerProcess server) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create(server.managementUrl() + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = LEADER.matcher(body);
            return m.find() && Double.parseDouble(m.group(2)) == 1;
        } catch (Exception e) {
            return false;
        }
    }

    private static List<ServerProcess> leaders() {
        return replicas.stream().filter(MatterAcrossReplicasIT::leads).toList();
    }

    private static ServerProcess leader() {
        List<ServerProcess> leaders = leaders();
        assertThat(leaders).hasSize(1);
        return leaders.get(0);
    }

    private static List<ServerProcess> followers() {
        ServerProcess leader = leader();
        return replicas.stream().filter(r -> r != leader).toList();
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, "");
                var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, "")) {
            c.createStatement().execute(sql);
        }
    }

    private static BigInteger pushNodeEvent() {
        BigInteger number = BigInteger.valueOf(EVENT_NUMBERS.incrementAndGet());
        peer.pushNodeEvent(new MatterNodeEvent(light, 1, 59, 1, number, 1, BigInteger.valueOf(1763900000000L), 1,
                new ObjectMapper().createObjectNode().put("newPosition", 1)));
        return number;
    }

    private static String state(ServerProcess server, String attempt) {
        return admin(server).get("/matter/commissioning/" + attempt).then().statusCode(200).extract().path("state");
    }

    @Test
    @Order(1)
    void everyReplicaAnswersTheMatterCallsWithTheSameData() {
        await().atMost(TIMEOUT).until(() -> replicas.stream().allMatch(r -> admin(r).get("/matter/nodes").then()
                .extract().jsonPath().getList("nodeId").size() == 1));
        String nodes = admin(replicas.get(0)).get("/matter/nodes").then().statusCode(200).extract().asString();
        String node = admin(replicas.get(0)).get("/matter/nodes/" + light).then().statusCode(200).extract().asString();
        for (ServerProcess r : replicas) {
            admin(r).get("/matter/server").then().statusCode(200).body("connected", equalTo(true));
            assertThat(admin(r).get("/matter/nodes").then().extract().asString()).isEqualTo(nodes);
            assertThat(admin(r).get("/matter/nodes/" + light).then().extract().asString()).isEqualTo(node);
            admin(r).post("/matter/nodes/" + light + "/ping").then().statusCode(200); // relayed by each itself
        }
    }

    /**
     * Every row written to the inventory's tables, counted by triggers of the test's own: each node row inserted or
     * updated, and each node event proposed (a BEFORE INSERT trigger fires for an insert that then conflicts, so a
     * second replica storing the same event would count). With three replicas listening: one write per change.
     */
    @Test
    @Order(2)
    void theInventoryIsWrittenOncePerChangeWithThreeReplicasListening() throws Exception {
        execute("""
                CREATE TABLE it_writes (tbl text PRIMARY KEY, n bigint NOT NULL);
                CREATE FUNCTION it_count() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO it_writes VALUES (TG_TABLE_NAME, 1) ON CONFLICT (tbl) DO UPDATE SET n = it_writes.n + 1;
                  RETURN NEW;
                END $$;
                CREATE TRIGGER it_count AFTER INSERT OR UPDATE ON matter_node FOR EACH ROW EXECUTE FUNCTION it_count();
                CREATE TRIGGER it_count BEFORE INSERT ON matter_node_event FOR EACH ROW EXECUTE FUNCTION it_count();""");
        try {
            int changes = 10;
            BigInteger last = null;
            for (int i = 0; i < changes; i++) {
                peer.updateAttribute(light, "0/40/5", "Label " + i);
                last = pushNodeEvent();
            }
            BigInteger lastEvent = last;
            for (ServerProcess r : replicas) {
                await().atMost(TIMEOUT).untilAsserted(() -> admin(r).get("/matter/nodes/" + light).then()
                        .body("nodeLabel", equalTo("Label " + (changes - 1))));
            }
            await().atMost(TIMEOUT).until(() -> count("SELECT count(*) FROM matter_node_event WHERE event_number = "
                    + lastEvent) == 1);
            Thread.sleep(2 * HEARTBEAT.toMillis()); // a late second writer would show by now
            long nodeWrites = count("SELECT coalesce(sum(n), 0) FROM it_writes WHERE tbl = 'matter_node'");
            long eventWrites = count("SELECT coalesce(sum(n), 0) FROM it_writes WHERE tbl = 'matter_node_event'");
            System.out.printf("3 replicas, %d attribute updates and %d node events: %d matter_node writes, %d"
                    + " matter_node_event writes%n", changes, changes, nodeWrites, eventWrites);
            assertThat(nodeWrites).isEqualTo(changes);
            assertThat(eventWrites).isEqualTo(changes);
        } finally {
            execute("DROP TRIGGER it_count ON matter_node; DROP TRIGGER it_count ON matter_node_event;"
                    + " DROP FUNCTION it_count(); DROP TABLE it_writes");
        }
    }

    @Test
    @Order(3)
    void aCommissioningThroughAReplicaThatDoesNotLeadSucceedsAndAnotherMeanwhileIs409() {
        List<ServerProcess> followers = followers();
        peer.replyDelay("commission_with_code", Duration.ofSeconds(2));
        try {
            String attempt = admin(followers.get(0)).body(Map.of("code", QR)).post("/matter/commissioning").then()
                    .statusCode(202).extract().path("id");
            admin(followers.get(1)).body(Map.of("code", QR)).post("/matter/commissioning").then().statusCode(409)
                    .body("error", equalTo("commissioning_in_progress"));
            admin(leader()).body(Map.of("code", QR)).post("/matter/commissioning").then().statusCode(409);
            await().atMost(TIMEOUT).until(() -> !"pending".equals(state(leader(), attempt)));
            String nodeId = admin(followers.get(1)).get("/matter/commissioning/" + attempt).then()
                    .body("state", equalTo("succeeded")).extract().path("nodeId").toString();
            // The owner recorded the outcome once the node was in the inventory: every replica has it at once.
            for (ServerProcess r : replicas) {
                admin(r).get("/matter/nodes/" + nodeId).then().statusCode(200);
            }
        } finally {
            peer.replyDelay("commission_with_code", Duration.ZERO);
        }
    }

    @Test
    @Order(4)
    void aPendingAttemptIsFailedOnceItsReplicaIsKilledAndNotWhileItLives() throws Exception {
        ServerProcess owner = followers().get(0);
        peer.replyDelay("commission_with_code", Duration.ofMinutes(5));
        try {
            String attempt = admin(owner).body(Map.of("code", QR)).post("/matter/commissioning").then()
                    .statusCode(202).extract().path("id");
            // Three leases, every replica checking every heartbeat: the owner is alive, its attempt is left alone.
            Thread.sleep(3 * LEASE.toMillis());
            for (ServerProcess r : replicas) {
                assertThat(state(r, attempt)).isEqualTo("pending");
            }
            owner.kill();
            long killedAt = System.nanoTime();
            replicas.remove(owner);
            killed.add(owner);
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .until(() -> "failed".equals(state(replicas.get(0), attempt)));
            long millis = (System.nanoTime() - killedAt) / 1_000_000;
            System.out.printf("a killed replica's pending attempt failed after %d ms (lease %d ms, heartbeat %d ms)%n",
                    millis, LEASE.toMillis(), HEARTBEAT.toMillis());
            // At most lease + heartbeat + one check in theory (2.5 s); the rest is room for a loaded machine.
            assertThat(millis).isLessThan(LEASE.multipliedBy(3).plusSeconds(2).toMillis());
            admin(replicas.get(1)).get("/matter/commissioning/" + attempt).then().body("errorCode", equalTo(-1));
        } finally {
            peer.replyDelay("commission_with_code", Duration.ZERO);
        }
    }

    @Test
    @Order(5)
    void whenTheLeaderIsKilledAnotherLeadsWithinTheLeaseAndWritesWhatWasHeardMeanwhile() throws Exception {
        ServerProcess old = leader();
        old.kill();
        long killedAt = System.nanoTime();
        replicas.remove(old);
        killed.add(old);
        BigInteger duringHandOver = pushNodeEvent();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> leaders().size() == 1);
        long millis = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.printf("leadership moved %d ms after the leader was killed (lease %d ms, heartbeat %d ms)%n",
                millis, LEASE.toMillis(), HEARTBEAT.toMillis());
        // At most lease + heartbeat in theory (2.5 s); the rest is room for a loaded machine.
        assertThat(millis).isLessThan(LEASE.multipliedBy(3).plusSeconds(2).toMillis());
        BigInteger after = pushNodeEvent();
        peer.updateAttribute(light, "0/40/5", "After the hand-over");
        await().atMost(TIMEOUT).until(() -> count("SELECT count(*) FROM matter_node_event WHERE event_number IN ("
                + duringHandOver + ", " + after + ")") == 2);
        for (ServerProcess r : replicas) {
            await().atMost(TIMEOUT).untilAsserted(() -> admin(r).get("/matter/nodes/" + light).then()
                    .body("nodeLabel", equalTo("After the hand-over")));
        }
    }
}
