package io.omnii.server.telemetry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.MosquittoServer;
import io.omnii.server.testsupport.Ports;
import io.omnii.server.testsupport.PostgresServer;
import io.omnii.server.testsupport.ServerMetrics;
import io.omnii.server.testsupport.ServerProcess;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the packaged server as a process and kills it (SIGKILL) to prove at-least-once ingest: what an instance
 * publishes while the server is down, or what the server received but had not committed when it died, is
 * ingested once after it comes back.
 */
class IngestAcrossCrashesIT {

    private static final Path DIR = Path.of("target", "it-services");
    private static final String TOKEN = "it-admin-token-0123456789abcdef";

    static PostgresServer postgres;
    static MosquittoServer broker;
    static Vertx vertx;
    ServerProcess server;

    @BeforeAll
    static void services() throws Exception {
        postgres = PostgresServer.start(DIR.resolve("postgres"), false, Map.of("fsync", "off"));
        Files.deleteIfExists(DIR.resolve("mosquitto").resolve("mosquitto.db"));
        broker = MosquittoServer.start(DIR.resolve("mosquitto"), Ports.free());
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopServices() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
        broker.close();
        postgres.close();
    }

    @BeforeEach
    void startServer() throws Exception {
        server = new ServerProcess(postgres, broker.port(), TOKEN, Ports.free(), Ports.free(), false);
        server.start(DIR.resolve("server.log"));
        server.awaitReady(Duration.ofSeconds(90));
    }

    @AfterEach
    void stopServer() throws Exception {
        server.stop();
    }

    private RequestSpecification admin() {
        return given().baseUri(server.apiUrl()).header("Authorization", "Bearer " + TOKEN).contentType(ContentType.JSON);
    }

    private String enroll() {
        String code = admin().body("{}").post("/enrollment-codes").then().statusCode(201).extract().path("code");
        return given().baseUri(server.apiUrl()).contentType(ContentType.JSON)
                .body(Map.of("code", code, "name", "Crash test")).post("/enroll")
                .then().statusCode(200).extract().path("instanceId");
    }

    private void restart() throws Exception {
        server.start(DIR.resolve("server.log"));
        server.awaitReady(Duration.ofSeconds(90));
    }

    @Test
    void whatIsPublishedWhileTheServerIsDownIsIngestedWhenItReturns() throws Exception {
        String id = enroll();
        server.kill();
        long now = System.currentTimeMillis();
        try (FakeInstance instance = FakeInstance.connect(vertx, broker.port(), id)) {
            instance.heartbeat(now);
            instance.publish("metrics", TelemetryIngestTest.metrics(now, 0.8, "\"crash\": true"));
        }
        restart();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> admin().get("/instances/" + id).then()
                .body("status", equalTo("online")).body("latest.metadata.crash", equalTo(true)));
        admin().get("/instances/" + id + "/metrics").then().body("total", equalTo(1));
    }

    @Test
    void aMessageReceivedButNotCommittedWhenTheServerDiesIsIngestedOnceAfterRestart() throws Exception {
        String id = enroll();
        long now = System.currentTimeMillis();
        double receivedBefore = ServerMetrics.receivedMessages(server, "metrics");
        try (Connection blocker = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, "")) {
            // Hold the instance's row: the server's writer receives the message, then waits on this lock.
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("SELECT 1 FROM instance WHERE id = '" + id + "' FOR UPDATE");
            try (FakeInstance instance = FakeInstance.connect(vertx, broker.port(), id)) {
                instance.publish("metrics", TelemetryIngestTest.metrics(now, 0.7, "\"inFlight\": true"));
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ServerMetrics.receivedMessages(server, "metrics") > receivedBefore);
            server.kill();
            blocker.rollback();
        }
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, "");
                var rs = c.createStatement().executeQuery("SELECT count(*) FROM metrics_sample")) {
            rs.next();
            assertThat(rs.getLong(1)).as("nothing was committed before the crash").isZero();
        }
        restart();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> admin().get("/instances/" + id + "/metrics")
                .then().body("total", equalTo(1)).body("items[0].metadata.inFlight", equalTo(true)));
    }
}
