package io.omnii.server.common;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.omnii.server.telemetry.TelemetryIngestTest;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.MosquittoServer;
import io.omnii.server.testsupport.Ports;
import io.omnii.server.testsupport.PostgresServer;
import io.omnii.server.testsupport.ServerMetrics;
import io.omnii.server.testsupport.ServerProcess;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stops PostgreSQL under a request and brings it back: the packaged server answers 503 with Retry-After while the
 * database is away, never a 500, and serves again once it returns. Its own PostgreSQL, broker and server process,
 * so the restart disturbs no other test.
 */
class DatabaseRestartIT {

    private static final Path DIR = Path.of("target", "it-database-restart");
    private static final String TOKEN = "it-admin-token-0123456789abcdef";
    private static final Map<String, String> SETTINGS = Map.of("fsync", "off");

    private PostgresServer postgres;
    private MosquittoServer broker;
    private ServerProcess server;

    @BeforeEach
    void start() throws Exception {
        Path data = DIR.resolve("postgres");
        if (Files.exists(data)) {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        // Data kept across a stop: the restart below finds the database as it was.
        postgres = PostgresServer.start(data, true, SETTINGS);
        broker = MosquittoServer.start(DIR.resolve("mosquitto"), Ports.free());
        // A stop waits for what was received to be committed and acknowledged (the MQTT drain), at most this long:
        // with the database away nothing can be, so a stop during the outage takes the whole drain timeout.
        server = new ServerProcess(postgres, broker.port(), TOKEN, Ports.free(), Ports.free(), false)
                .env("OMNII_MQTT_DRAIN_TIMEOUT", "3s");
        server.start(DIR.resolve("server.log"));
        server.awaitReady(Duration.ofSeconds(90));
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        broker.close();
        postgres.close();
    }

    private String enroll(String name) {
        String code = admin().body("{}").post("/enrollment-codes").then().statusCode(201).extract().path("code");
        return given().baseUri(server.apiUrl()).contentType(ContentType.JSON)
                .body(Map.of("code", code, "name", name)).post("/enroll").then().statusCode(200)
                .extract().path("instanceId");
    }

    private RequestSpecification admin() {
        return given().baseUri(server.apiUrl()).header("Authorization", "Bearer " + TOKEN).contentType(ContentType.JSON);
    }

    @Test
    void aRequestCutOffByAPostgresRestartIs503WithRetryAfterAndTheServerRecovers() throws Exception {
        String id = enroll("Before");
        int port = postgres.port();

        CompletableFuture<Response> cutOff;
        try (Connection blocker = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, "")) {
            // Hold the instance's row: the rename waits on it inside its transaction, on its connection.
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("SELECT 1 FROM instance WHERE id = '" + id + "' FOR UPDATE");
            cutOff = CompletableFuture.supplyAsync(
                    () -> admin().body("{\"name\": \"After\"}").patch("/instances/" + id));
            await().atMost(Duration.ofSeconds(20)).until(() -> waitingOnALock(blocker));
            postgres.close(); // a fast shutdown: every session ends, the waiting one with it
        }
        assertDatabaseUnavailable(cutOff.get(30, TimeUnit.SECONDS));
        // While it is down: the pool's stale connections fail (two or three here), then new ones cannot be made.
        for (int i = 0; i < 6; i++) {
            assertDatabaseUnavailable(admin().get("/instances/" + id));
        }

        postgres = PostgresServer.start(DIR.resolve("postgres"), true, SETTINGS, port);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> admin().get("/instances/" + id).then()
                .statusCode(200).body("name", equalTo("Before")));
        admin().body("{\"name\": \"After\"}").patch("/instances/" + id).then().statusCode(200)
                .body("name", equalTo("After"));
    }

    /**
     * Telemetry received while PostgreSQL is away waits unacknowledged, and the same batch is written once the
     * database answers again. A stop in the middle of the outage is honoured once the drain gives up (its timeout,
     * 3 s here); the broker then delivers again what was never acknowledged, and the next server writes it.
     */
    @Test
    void telemetryWaitsOutADatabaseOutageUnacknowledgedAndIsWrittenOnceItReturns() throws Exception {
        String id = enroll("Outage");
        int port = postgres.port();
        Vertx vertx = Vertx.vertx();
        try {
            postgres.close();
            publishMetrics(vertx, id, "\"outage\": 1");
            // Received, then through the writer's first looks at the database (after 1 s and about 2 s).
            await().atMost(Duration.ofSeconds(20)).until(() -> ServerMetrics.receivedMessages(server, "metrics") == 1);
            Thread.sleep(4_000);
            long stopping = System.nanoTime();
            server.stop();
            assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(10));

            postgres = PostgresServer.start(DIR.resolve("postgres"), true, SETTINGS, port);
            server.start(DIR.resolve("server.log"));
            server.awaitReady(Duration.ofSeconds(90));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> admin().get("/instances/" + id + "/metrics")
                    .then().statusCode(200).body("total", equalTo(1)).body("items[0].metadata.outage", equalTo(1)));

            postgres.close();
            publishMetrics(vertx, id, "\"outage\": 2");
            // This server received the first one again (the broker's redelivery), then this one.
            await().atMost(Duration.ofSeconds(20)).until(() -> ServerMetrics.receivedMessages(server, "metrics") == 2);
            Thread.sleep(4_000);
            postgres = PostgresServer.start(DIR.resolve("postgres"), true, SETTINGS, port);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> admin().get("/instances/" + id + "/metrics")
                    .then().statusCode(200).body("total", equalTo(2)).body("items.metadata.outage", hasItems(1, 2)));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private void publishMetrics(Vertx vertx, String id, String extra) throws Exception {
        try (FakeInstance instance = FakeInstance.connect(vertx, broker.port(), id)) {
            instance.publish("metrics", TelemetryIngestTest.metrics(System.currentTimeMillis(), 0.9, extra));
        }
    }

    private static boolean waitingOnALock(Connection c) throws Exception {
        try (ResultSet r = c.createStatement()
                .executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) {
            return r.next() && r.getInt(1) > 0;
        }
    }

    private static void assertDatabaseUnavailable(Response r) {
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.header("Retry-After")).isEqualTo("5");
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(new JsonObject(r.asString()).getMap()).containsOnlyKeys("status", "error", "message")
                .containsEntry("status", 503).containsEntry("error", "database_unavailable");
        assertThat(r.asString()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
