package io.omnii.server.fleet;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code omnii_instances{state}}: how many instances are in each state, fleet-wide. Read from the kept counts every
 * few seconds, not at scrape time, so a scrape never waits on PostgreSQL.
 */
@Singleton
public class FleetMetrics {

    private final Map<InstanceStatus, AtomicLong> counts = new EnumMap<>(InstanceStatus.class);
    private final InstanceCounts kept;

    /**
     * The config mapping is injected only to be registered: Quarkus registers a mapping that something injects, and
     * only then is its default there for the schedule's key.
     */
    FleetMetrics(MeterRegistry registry, InstanceCounts kept, FleetMetricsConfig config) {
        this.kept = kept;
        for (InstanceStatus status : InstanceStatus.values()) {
            AtomicLong count = new AtomicLong();
            counts.put(status, count);
            Gauge.builder("omnii.instances", count, AtomicLong::get)
                    .description("Instances by state")
                    .tag("state", status.wire())
                    .register(registry);
        }
    }

    void onStart(@Observes StartupEvent event) {
        refresh();
    }

    /** Every {@link FleetMetricsConfig#instancesRefreshInterval()}. */
    @Scheduled(every = "${omnii.metrics.instances-refresh-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        refresh();
    }

    /** Reads the counts by state that the writers keep exact, instead of scanning the table. */
    public void refresh() {
        Map<InstanceStatus, Long> byState = kept.byState();
        counts.forEach((state, count) -> count.set(byState.getOrDefault(state, 0L)));
    }
}
