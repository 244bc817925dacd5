package io.omnii.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.omnii.server.common.Threads;
import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The writer's queue is bounded (omnii.telemetry.queue-capacity, 100 in tests). When the database falls behind, the
 * MQTT client's delivery thread waits, so the broker keeps what does not fit, and everything is ingested once the
 * database catches up.
 */
@QuarkusTest
class IngestBackpressureTest extends ServerTest {

    private static final int HEARTBEATS = 1_500;
    private static final int METRICS = 300;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    @Inject
    TelemetryWriter writer;

    @Inject
    AgroalDataSource dataSource;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    @ConfigProperty(name = "omnii.telemetry.queue-capacity")
    int capacity;

    @Test
    void whenTheQueueIsFullTheBrokerKeepsTheRestAndNothingIsLost() throws Exception {
        String id = Api.enrollInstance("Busy");
        double receivedBefore = received();
        double acceptedBefore = accepted("heartbeat") + accepted("metrics");
        double fullBefore = registry.find("omnii.ingest.queue.full").counter().count();
        long t0 = clock.millis();
        long lastHeartbeat = 0;

        try (Connection blocker = dataSource.getConnection(); FakeInstance instance = FakeInstance.connect(vertx,
                mqttPort, id)) {
            // Hold the instance's row: the writer takes a batch and waits on the lock, the queue fills up.
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("SELECT 1 FROM instance WHERE id = '" + id + "' FOR UPDATE");
            // One message first, so the batch the writer is stuck on holds exactly one: taken together with the
            // next ones, it held two once, and the count below came out one over.
            instance.heartbeat(t0 - 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> received() - receivedBefore == 1);
            Thread.sleep(300); // counted just before it is queued; then the writer takes it and waits on the lock
            assertThat(writer.backlog()).isZero();
            for (int i = 0; i < HEARTBEATS; i++) {
                lastHeartbeat = t0 + i;
                instance.heartbeat(lastHeartbeat);
                if (i % 5 == 0) {
                    instance.publish("metrics", TelemetryIngestTest.metrics(t0 + i, 0.9, "\"n\": " + i));
                }
            }
            // Every message is with the broker (each publish waited for its PUBACK); the server holds at most
            // the queue, the batch it is writing and the one message waiting for room.
            await().atMost(Duration.ofSeconds(10)).until(() -> writer.backlog() == capacity);
            assertThat(registry.find("omnii.ingest.queue.full").counter().count()).isGreaterThan(fullBefore);
            Thread.sleep(500);
            assertThat(received() - receivedBefore).isLessThanOrEqualTo(capacity + 2);
            assertThat(writer.backlog()).isEqualTo(capacity);
            // ... and the thread that waits for room is the MQTT client's delivery thread: the client stops
            // reading, so the rest stays at the broker, not in this process.
            assertThat(threadsWaitingForRoom()).isNotEmpty()
                    .allMatch(name -> name.startsWith(Threads.Name.MQTT_IO.threadName()));
            blocker.rollback();
        }

        await().atMost(Duration.ofSeconds(30)).until(
                () -> accepted("heartbeat") + accepted("metrics") - acceptedBefore >= 1 + HEARTBEATS + METRICS);
        assertThat(accepted("heartbeat") + accepted("metrics") - acceptedBefore).isEqualTo(1 + HEARTBEATS + METRICS);
        assertThat(db.count("SELECT count(*) FROM metrics_sample WHERE instance_id = '" + id + "'"))
                .isEqualTo(METRICS);
        assertThat(db.count("SELECT (extract(epoch FROM last_report_at) * 1000)::bigint FROM instance WHERE id = '"
                + id + "'")).isEqualTo(lastHeartbeat);
    }

    private static List<String> threadsWaitingForRoom() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> Arrays.stream(e.getValue()).anyMatch(f ->
                        f.getClassName().equals(TelemetryWriter.class.getName()) && f.getMethodName().equals("submit")))
                .map(Map.Entry::getKey).map(Thread::getName).toList();
    }

    private double received() {
        return registry.find("omnii.mqtt.messages.received").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private double accepted(String kind) {
        return registry.find("omnii.mqtt.messages.accepted").tag("kind", kind).counter().count();
    }
}
