package io.omnii.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Messages PostgreSQL refuses: the parser stops every kind it knows of, and one that gets past it (a trigger here
 * refuses it) costs its batch a logarithmic number of transactions, while every good message commits once.
 */
@QuarkusTest
class PoisonedTelemetryTest extends ServerTest {

    private static final String REFUSED = "refused by the test";

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    @Inject
    TelemetryWriter writer;

    @Inject
    TelemetryParser parser;

    @Inject
    ObjectMapper mapper;

    @Inject
    AgroalDataSource dataSource;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    @AfterEach
    void dropTrigger() {
        db.execute("DROP TRIGGER IF EXISTS test_refuse_poison ON metrics_sample");
        db.execute("DROP FUNCTION IF EXISTS test_refuse_poison()");
    }

    /** Property, end to end: hostile payloads at random among good ones; each refused, each good one stored as sent. */
    @Test
    void hostilePayloadsAreRefusedWithTheirReasonAndEveryGoodMessageAroundThemLandsAsSent() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        HostilePayloads payloads = new HostilePayloads(seed);
        String id = Api.enrollInstance("Hostile");
        Map<RejectReason, Double> before = rejectedByReason();
        double failuresBefore = failures();
        Map<Long, byte[]> good = new HashMap<>();
        Map<RejectReason, Integer> expected = new EnumMap<>(RejectReason.class);
        long t0 = clock.millis() - 3_600_000;
        try (FakeInstance instance = FakeInstance.connect(vertx, mqttPort, id)) {
            for (int i = 0; i < 300; i++) {
                long t = t0 + i;
                HostilePayloads.Payload p = random.nextInt(3) == 0 ? payloads.hostile(t) : payloads.good(t);
                if (p.reason() == null) {
                    good.put(t, p.bytes());
                } else {
                    expected.merge(p.reason(), 1, Integer::sum);
                }
                instance.publishTo("ha-instances/" + id + "/metrics", p.bytes());
            }
            // A status whose version holds U+0000 (a text column refuses it) is refused as well.
            instance.publish("status", "{\"status\":\"error\",\"version\":\"1\\u0000\",\"timestamp\":" + t0 + "}");
            expected.merge(RejectReason.INVALID_PAYLOAD, 1, Integer::sum);
        }
        int hostile = expected.values().stream().mapToInt(Integer::intValue).sum();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(rejectedSince(before)).as("seed %d: rejected", seed).isEqualTo(hostile);
            assertThat(db.count("SELECT count(*) FROM metrics_sample")).as("seed %d: stored", seed)
                    .isEqualTo(good.size());
        });
        for (RejectReason reason : RejectReason.values()) {
            assertThat(rejectedByReason().get(reason) - before.get(reason)).as("seed %d: %s", seed, reason)
                    .isEqualTo(expected.getOrDefault(reason, 0).doubleValue());
        }
        assertThat(failures()).as("no batch failed").isEqualTo(failuresBefore);
        // Every good one as sent: characters, escapes and nesting intact; numbers equal as doubles (jsonb keeps
        // what Jackson read, a double, as an exact numeric).
        try (Connection c = dataSource.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT (extract(epoch FROM reported_at) * 1000)::bigint, metadata::text FROM metrics_sample")) {
            int n = 0;
            while (rs.next()) {
                JsonNode sent = mapper.readTree(good.get(rs.getLong(1))).get("metadata");
                JsonNode stored = mapper.readTree(rs.getString(2));
                assertThat(sent.equals((a, b) -> a.isNumber() && b.isNumber()
                        ? (a.doubleValue() == b.doubleValue() ? 0 : 1) : (a.equals(b) ? 0 : 1), stored))
                        .as("seed %d: %s stored as %s", seed, sent, stored).isTrue();
                n++;
            }
            assertThat(n).isEqualTo(good.size());
        }
    }

    @Test
    void aMessageTheDatabaseRefusesCostsItsBatchLogarithmicallyManyTransactionsAndTheRestCommitOnce() throws Exception {
        String id = Api.enrollInstance("Poisoned");
        refuseRowsWithKey("poison");
        for (Set<Integer> poisoned : List.of(Set.of(37), Set.of(0), Set.of(63), Set.of(5, 50))) {
            db.execute("TRUNCATE metrics_sample");
            int n = 64;
            List<Pending> batch = new ArrayList<>();
            List<AtomicInteger> acks = new ArrayList<>();
            Instant now = clock.instant();
            for (int i = 0; i < n; i++) {
                long t = now.toEpochMilli() - 60_000 + i;
                byte[] payload = TelemetryIngestTest.metrics(t, 0.5, "\"" + (poisoned.contains(i) ? "poison" : "i")
                        + "\": " + i).getBytes(StandardCharsets.UTF_8);
                AtomicInteger acked = new AtomicInteger();
                acks.add(acked);
                Message<byte[]> message = Message.of(payload, () -> {
                    acked.incrementAndGet();
                    return CompletableFuture.completedFuture(null);
                });
                batch.add(new Pending(parser.parse("ha-instances/" + id + "/metrics", payload, now), message, now,
                        System.nanoTime()));
            }
            double accepted = accepted();
            double refused = rejectedByReason().get(RejectReason.DATABASE_ERROR);
            double failures = failures();
            long transactions = transactions();

            writer.write(batch);

            assertThat(db.count("SELECT count(*) FROM metrics_sample")).isEqualTo(n - poisoned.size());
            assertThat(accepted() - accepted).isEqualTo(n - poisoned.size());
            assertThat(rejectedByReason().get(RejectReason.DATABASE_ERROR) - refused).isEqualTo(poisoned.size());
            assertThat(acks).as("every message acknowledged once").allMatch(a -> a.get() == 1);
            // Each poisoned message fails the batches that hold it, one per halving: 1 + log2(64) = 7; each
            // failure but its last has a good half that commits. One by one, it would be 1 failure and 64 writes.
            long attempts = (long) (failures() - failures) + transactions() - transactions;
            int depth = 1 + Integer.numberOfTrailingZeros(n);
            assertThat(attempts).as("transactions for %s poisoned of %d", poisoned, n)
                    .isLessThanOrEqualTo(2L * depth * poisoned.size());
            assertThat(failures() - failures).isLessThanOrEqualTo((double) depth * poisoned.size());
        }
    }

    private void refuseRowsWithKey(String key) {
        db.execute("""
                CREATE FUNCTION test_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.metadata ? '%s' THEN RAISE EXCEPTION '%s'; END IF;
                    RETURN NEW;
                END $$""".formatted(key, REFUSED));
        db.execute("CREATE TRIGGER test_refuse_poison BEFORE INSERT ON metrics_sample FOR EACH ROW "
                + "EXECUTE FUNCTION test_refuse_poison()");
    }

    private Map<RejectReason, Double> rejectedByReason() {
        Map<RejectReason, Double> counts = new EnumMap<>(RejectReason.class);
        for (RejectReason reason : RejectReason.values()) {
            counts.put(reason, registry.find("omnii.mqtt.messages.rejected").tag("reason", reason.label()).counters()
                    .stream().mapToDouble(c -> c.count()).sum());
        }
        return counts;
    }

    private double rejectedSince(Map<RejectReason, Double> before) {
        return rejectedByReason().entrySet().stream().mapToDouble(e -> e.getValue() - before.get(e.getKey())).sum();
    }

    private double accepted() {
        return registry.find("omnii.mqtt.messages.accepted").tag("kind", "metrics").counter().count();
    }

    private double failures() {
        return registry.find("omnii.ingest.batch.failures").counter().count();
    }

    /** Batches finished: committed, or a single message dropped after its failure. */
    private long transactions() {
        return registry.find("omnii.ingest.batch.size").summary().count();
    }
}
