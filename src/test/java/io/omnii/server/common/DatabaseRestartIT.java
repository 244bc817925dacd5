package io.omnii.server.common;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.testsupport.MosquittoServer;
import io.omnii.server.testsupport.Ports;
import io.omnii.server.testsupport.PostgresServer;
import io.omnii.server.testsupport.ServerProcess;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
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
        server = new ServerProcess(postgres, broker.port(), TOKEN, Ports.free(), Ports.free(), false);
        server.start(DIR.resolve("server.log"));
        server.awaitReady(Duration.ofSeconds(90));
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        broker.close();
        postgres.close();
    }

    private RequestSpecification admin() {
        return given().baseUri(server.apiUrl()).header("Authorization", "Bearer " + TOKEN).contentType(ContentType.JSON);
    }

    @Test
    void aRequestCutOffByAPostgresRestartIs503WithRetryAfterAndTheServerRecovers() throws Exception {
        String code = admin().body("{}").post("/enrollment-codes").then().statusCode(201).extract().path("code");
        String id = given().baseUri(server.apiUrl()).contentType(ContentType.JSON)
                .body(Map.of("code", code, "name", "Before")).post("/enroll").then().statusCode(200)
                .extract().path("instanceId");
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
