package io.omnii.server.telemetry;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.fleet.PresenceSweep;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.PeriodicJobRows;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class TelemetryIngestTest extends ServerTest {

    @Inject
    Vertx vertx;

    @Inject
    PresenceSweep presence;

    @Inject
    MeterRegistry registry;

    @Inject
    MetricsRetention retention;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    String id;
    FakeInstance instance;

    @BeforeEach
    void enrollAndConnect() throws Exception {
        id = Api.enrollInstance("Living Room");
        instance = FakeInstance.connect(vertx, mqttPort, id);
    }

    @AfterEach
    void disconnect() throws Exception {
        instance.close();
    }

    private long now() {
        return clock.millis();
    }

    private void awaitStatus(String status) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                admin().get("/instances/" + id).then().body("status", equalTo(status)));
    }

    @Test
    void aHeartbeatMarksTheInstanceOnlineAndTheTransitionIsRecorded() throws Exception {
        instance.heartbeat(now());
        awaitStatus("online");
        admin().get("/instances/" + id).then()
                .body("lastSeenAt", notNullValue())
                .body("latest.uptimeSeconds", equalTo(120));
        admin().get("/instances/" + id + "/events").then()
                .body("total", equalTo(2))
                .body("items.reason", contains("heartbeat", "enrolled"))
                .body("items.to", contains("online", "offline"))
                .body("items[0].from", equalTo("offline"));
    }

    @Test
    void offlineAndErrorStatusesApplyAtOnceAndCarryTheVersion() throws Exception {
        instance.status("online", "2024.1.0", now());
        awaitStatus("online");
        instance.status("error", "2024.1.1", now() + 1);
        awaitStatus("error");
        instance.status("offline", "2024.1.1", now() + 2);
        awaitStatus("offline");
        admin().get("/instances/" + id).then().body("version", equalTo("2024.1.1"));
        admin().get("/instances/" + id + "/events").then()
                .body("items.to", contains("offline", "error", "online", "offline"))
                .body("items.reason", contains("reported", "reported", "reported", "enrolled"));
    }

    @Test
    void anInstanceWithoutHeartbeatsTurnsOfflineAfterTheTimeout() throws Exception {
        instance.heartbeat(now());
        awaitStatus("online");
        clock.advance(Duration.ofSeconds(85));
        assertThat(presence.sweep()).isZero();
        awaitStatus("online");
        clock.advance(Duration.ofSeconds(10));
        assertThat(presence.sweep()).isEqualTo(1);
        awaitStatus("offline");
        admin().get("/instances/" + id + "/events").then().body("items[0].reason", equalTo("heartbeat_timeout"));
        // A sweep that finds nothing new records nothing new.
        assertThat(presence.sweep()).isZero();
        assertThat(db.count("SELECT count(*) FROM instance_event WHERE reason = 'heartbeat_timeout'")).isEqualTo(1);
    }

    @Test
    void metricsAreKeptAsHistoryAndAsTheLatestValues() throws Exception {
        long t = now() - 600_000L;
        for (int i = 0; i < 3; i++) {
            instance.publish("metrics", metrics(t + i * 300_000L, 0.9 + i * 0.01, "\"extraKey\": " + i));
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                admin().get("/instances/" + id + "/metrics").then().body("total", equalTo(3)));
        admin().queryParam("size", 2).get("/instances/" + id + "/metrics").then()
                .body("items.timestamp", contains(t, t + 300_000L))
                .body("items[0].metadata.extraKey", equalTo(0))
                .body("items[0].coreVersion", equalTo("2024.1.0"))
                .body("items[0].totalDevices", equalTo(42));
        admin().queryParam("from", t + 1).queryParam("to", t + 600_000L).get("/instances/" + id + "/metrics")
                .then().body("items.timestamp", contains(t + 300_000L));
        admin().get("/instances/" + id).then()
                .body("version", equalTo("2024.1.0"))
                .body("latest.stabilityScore", equalTo(0.92f))
                .body("latest.pendingUpdates", equalTo(3))
                .body("latest.metadata.extraKey", equalTo(2))
                .body("latest.metricsAt", equalTo(t + 600_000L));
        admin().queryParam("from", "yesterday").get("/instances/" + id + "/metrics").then().statusCode(400);
    }

    @Test
    void metricsHistoryOlderThanTheRetentionIsPurged() throws Exception {
        instance.publish("metrics", metrics(now(), 0.5, "\"old\": true"));
        await().atMost(Duration.ofSeconds(10)).until(() -> db.count("SELECT count(*) FROM metrics_sample") == 1);
        clock.advance(Duration.ofDays(29));
        instance.publish("metrics", metrics(now(), 0.6, "\"recent\": true"));
        await().atMost(Duration.ofSeconds(10)).until(() -> db.count("SELECT count(*) FROM metrics_sample") == 2);
        clock.advance(Duration.ofDays(2));
        assertThat(retention.purge()).isEqualTo(1);
        admin().get("/instances/" + id + "/metrics").then().body("total", equalTo(1))
                .body("items[0].metadata.recent", equalTo(true));
    }

    @Test
    void theScheduledPurgeRunsOncePerIntervalWhicheverReplicaTicks() {
        String samples = "SELECT count(*) FROM metrics_sample";
        PeriodicJobRows.assertRunsOncePerInterval(db, MetricsRetention.JOB, () -> {
            long before = db.count(samples);
            try {
                instance.publish("metrics", metrics(now(), 0.5, "\"old\": true"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> db.count(samples) == before + 1);
            clock.advance(Duration.ofDays(31));
        }, retention::scheduled, () -> db.count(samples));
    }

    @Test
    void aRedeliveredMessageAddsNothing() throws Exception {
        long t = now();
        String status = "{\"status\":\"online\",\"version\":\"1\",\"timestamp\":" + t + "}";
        instance.publish("status", status);
        instance.publish("metrics", metrics(t, 0.5, "\"a\": 1"));
        instance.publish("status", status);
        instance.publish("metrics", metrics(t, 0.5, "\"a\": 1"));
        awaitAccepted("heartbeat", () -> instance.heartbeat(t + 1));
        assertThat(db.count("SELECT count(*) FROM metrics_sample")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM instance_event WHERE reason <> 'enrolled'")).isEqualTo(1);
    }

    @Test
    void aLateOlderStatusDoesNotOverruleANewerOne() throws Exception {
        long t = now();
        instance.status("online", "2", t);
        instance.status("offline", "1", t - 10_000);
        awaitAccepted("heartbeat", () -> instance.heartbeat(t + 1));
        admin().get("/instances/" + id).then().body("status", equalTo("online")).body("version", equalTo("2"));
    }

    @Test
    void badInputIsDroppedAndCountedWhileGoodMessagesKeepFlowing() throws Exception {
        String unknown = UUID.randomUUID().toString();
        String retired = Api.enrollInstance("Retired");
        admin().delete("/instances/" + retired).then().statusCode(204);
        double before = rejected("malformed_json") + rejected("invalid_payload") + rejected("too_large")
                + rejected("bad_topic") + rejected("unknown_instance") + rejected("decommissioned_instance");

        instance.publish("status", "{not json");
        instance.publish("heartbeat", "{\"status\":\"online\",\"uptime\":\"long\",\"timestamp\":" + now() + "}");
        instance.publish("status", "{\"status\":\"sleeping\",\"timestamp\":" + now() + "}");
        instance.publish("metrics", metrics(now(), 1.5, "\"a\": 1"));
        instance.publish("heartbeat", "{\"status\":\"online\",\"uptime\":1}");
        instance.publish("metrics", "{\"timestamp\":" + now() + ",\"pad\":\"" + "x".repeat(70_000) + "\"}");
        instance.publishTo("ha-instances/not-an-id/status", "{}".getBytes(StandardCharsets.UTF_8));
        instance.publishTo("ha-instances/" + unknown + "/heartbeat", heartbeat(now()));
        instance.publishTo("ha-instances/" + retired + "/heartbeat", heartbeat(now()));
        instance.heartbeat(now());

        awaitStatus("online");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(rejected("malformed_json")).isGreaterThanOrEqualTo(1);
            double after = rejected("malformed_json") + rejected("invalid_payload") + rejected("too_large")
                    + rejected("bad_topic") + rejected("unknown_instance") + rejected("decommissioned_instance");
            assertThat(after - before).isEqualTo(9);
        });
        admin().get("/instances/" + retired).then().body("status", equalTo("decommissioned")).body("lastSeenAt",
                org.hamcrest.Matchers.nullValue());
        assertThat(db.count("SELECT count(*) FROM metrics_sample")).isZero();
    }

    @Test
    void aReportStampedFurtherAheadThanTheSkewIsRefusedAndCountedAndChangesNothing() throws Exception {
        instance.status("online", "2024.1.0", now());
        awaitStatus("online");
        double before = rejected("future_timestamp");
        long ahead = now() + Duration.ofMinutes(10).toMillis();
        // The report: an error with a forged version, stamped ahead of every genuine report to come.
        instance.status("error", "forged", ahead);
        instance.publish("metrics", metrics(ahead, 0.1, "\"forged\": true"));
        await().atMost(Duration.ofSeconds(10)).until(() -> rejected("future_timestamp") - before == 2);
        awaitAccepted("heartbeat", () -> instance.heartbeat(now()));
        admin().get("/instances/" + id).then().body("status", equalTo("online")).body("version", equalTo("2024.1.0"));
        assertThat(db.count("SELECT count(*) FROM metrics_sample")).isZero();

        // Six minutes on, the same stamp is within the five minutes allowed: an instance's clock may run ahead.
        clock.advance(Duration.ofMinutes(6));
        instance.status("error", "2024.1.1", ahead);
        awaitStatus("error");
        assertThat(rejected("future_timestamp") - before).isEqualTo(2);
    }

    @Test
    void anInstanceHoldingAFarFutureStampFromBeforeTheFixAcceptsGenuineReportsAgain() throws Exception {
        instance.heartbeat(now());
        awaitStatus("online");
        // What a year-2255 status and metrics left behind when they were still accepted.
        db.execute("UPDATE instance SET status = 'error', version = 'forged', last_report_at = to_timestamp(9e9), "
                + "metrics_at = to_timestamp(9e9), total_devices = 666 WHERE id = '" + id + "'");
        db.execute("UPDATE instance_count SET n = n + CASE status WHEN 'error' THEN 1 WHEN 'online' THEN -1 ELSE 0 "
                + "END");
        awaitStatus("error");

        long t = now();
        instance.status("online", "2024.1.0", t);
        awaitStatus("online");
        instance.publish("metrics", metrics(t, 0.9, "\"genuine\": true"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> admin().get("/instances/" + id).then()
                .body("version", equalTo("2024.1.0"))
                .body("latest.metricsAt", equalTo(t))
                .body("latest.totalDevices", equalTo(42)));
        // The genuine stamp orders reports again: an older one is ignored, as before.
        instance.status("offline", "2024.0.9", t - 10_000);
        awaitAccepted("heartbeat", () -> instance.heartbeat(t + 1));
        admin().get("/instances/" + id).then().body("status", equalTo("online")).body("version", equalTo("2024.1.0"));
    }

    private double rejected(String reason) {
        return registry.find("omnii.mqtt.messages.rejected").tag("reason", reason).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    /** Publishes, then waits until one more message of the kind was accepted: counted from before the publish. */
    private void awaitAccepted(String kind, Publish publish) throws Exception {
        double start = accepted(kind);
        publish.run();
        await().atMost(Duration.ofSeconds(10)).until(() -> accepted(kind) >= start + 1);
    }

    @FunctionalInterface
    private interface Publish {
        void run() throws Exception;
    }

    private double accepted(String kind) {
        return registry.find("omnii.mqtt.messages.accepted").tag("kind", kind).counter().count();
    }

    public static String metrics(long timestamp, double stability, String extra) {
        return """
                {"uptimeSeconds": 3600, "version": "2024.1.0", "stabilityScore": %s,
                 "metadata": {"coreVersion": "2024.1.0", "supervisorVersion": "2024.01.0", "osVersion": "11.4",
                              "totalDevices": 42, "totalEntities": 310, "lastUpdate": "2024-01-01T00:00:00Z",
                              "pendingUpdates": 3, %s},
                 "timestamp": %d}""".formatted(stability, extra, timestamp);
    }

    private static byte[] heartbeat(long timestamp) {
        return ("{\"status\":\"online\",\"uptime\":1,\"timestamp\":" + timestamp + "}").getBytes(StandardCharsets.UTF_8);
    }
}
