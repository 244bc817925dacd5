package io.omnii.server.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what the ingest receives, accepts and drops, and logs drops at a bounded rate: at most one line per reason
 * every ten seconds, saying how many were not logged in between. Counters exist from the start at zero.
 */
// Created at start-up so that every series is exported, at zero, before the first event.
@Startup
@Singleton
public class IngestMetrics {

    private static final String UNKNOWN_KIND = "unknown";
    private static final long LOG_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

    private final Map<MessageKind, Counter> received = new EnumMap<>(MessageKind.class);
    private final Map<MessageKind, Counter> accepted = new EnumMap<>(MessageKind.class);
    private final Map<RejectReason, Map<String, Counter>> rejected = new EnumMap<>(RejectReason.class);
    private final Map<RejectReason, AtomicLong> lastLogged = new EnumMap<>(RejectReason.class);
    private final Map<RejectReason, AtomicLong> unlogged = new EnumMap<>(RejectReason.class);
    private final Counter receivedUnknown;
    private final DistributionSummary batchSize;
    private final Timer latency;
    private final Counter queueFull;
    private final Counter batchFailures;

    IngestMetrics(MeterRegistry registry) {
        for (MessageKind kind : MessageKind.values()) {
            received.put(kind, receivedCounter(registry, kind.label()));
            accepted.put(kind, Counter.builder("omnii.mqtt.messages.accepted")
                    .description("Telemetry messages whose changes were committed").tag("kind", kind.label())
                    .register(registry));
        }
        receivedUnknown = receivedCounter(registry, UNKNOWN_KIND);
        for (RejectReason reason : RejectReason.values()) {
            Map<String, Counter> byKind = new HashMap<>();
            for (MessageKind kind : MessageKind.values()) {
                byKind.put(kind.label(), rejectedCounter(registry, reason, kind.label()));
            }
            byKind.put(UNKNOWN_KIND, rejectedCounter(registry, reason, UNKNOWN_KIND));
            rejected.put(reason, byKind);
            lastLogged.put(reason, new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS));
            unlogged.put(reason, new AtomicLong());
        }
        batchSize = DistributionSummary.builder("omnii.ingest.batch.size")
                .description("Messages written per database transaction").publishPercentileHistogram()
                .register(registry);
        latency = Timer.builder("omnii.ingest.latency")
                .description("From a message's arrival to the commit of what it changed").publishPercentileHistogram()
                .register(registry);
        queueFull = Counter.builder("omnii.ingest.queue.full")
                .description("Received messages that waited for room in the writer's queue (the broker held the rest)")
                .register(registry);
        batchFailures = Counter.builder("omnii.ingest.batch.failures")
                .description("Write transactions that failed and were rolled back (retried in halves, or once the "
                        + "database answers)")
                .register(registry);
    }

    private static Counter receivedCounter(MeterRegistry registry, String kind) {
        return Counter.builder("omnii.mqtt.messages.received").description("Telemetry messages received")
                .tag("kind", kind).register(registry);
    }

    private static Counter rejectedCounter(MeterRegistry registry, RejectReason reason, String kind) {
        return Counter.builder("omnii.mqtt.messages.rejected").description("Telemetry messages dropped, by reason")
                .tags("kind", kind, "reason", reason.label()).register(registry);
    }

    void received(Optional<MessageKind> kind) {
        kind.map(received::get).orElse(receivedUnknown).increment();
    }

    /** A message whose changes are committed; {@code arrivalNanos} is when it came off the wire. */
    void accepted(MessageKind kind, long arrivalNanos) {
        accepted.get(kind).increment();
        latency.record(System.nanoTime() - arrivalNanos, TimeUnit.NANOSECONDS);
    }

    void rejected(Optional<MessageKind> kind, RejectReason reason, String detail) {
        rejected.get(reason).get(kind.map(MessageKind::label).orElse(UNKNOWN_KIND)).increment();
        long now = System.nanoTime();
        AtomicLong last = lastLogged.get(reason);
        long previous = last.get();
        if (now - previous >= LOG_INTERVAL_NANOS && last.compareAndSet(previous, now)) {
            long skipped = unlogged.get(reason).getAndSet(0);
            Log.warnf("Dropped an MQTT message (%s): %s%s", reason.label(), detail,
                    skipped > 0 ? " (and " + skipped + " more since the last report)" : "");
        } else {
            unlogged.get(reason).incrementAndGet();
        }
    }

    void queueFull() {
        queueFull.increment();
    }

    void batchFailed() {
        batchFailures.increment();
    }

    void batch(int size) {
        batchSize.record(size);
    }
}
