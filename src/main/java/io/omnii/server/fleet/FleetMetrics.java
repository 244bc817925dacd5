package io.omnii.server.fleet;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.replica.Leadership;
import io.omnii.server.replica.LeadershipChanged;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code omnii_instances{state}}: how many instances are in each state, fleet-wide. Read from the kept counts every
 * few seconds, not at scrape time, so a scrape never waits on PostgreSQL. Exported by the leader only (registered when
 * this replica gains the leadership, removed when it loses it), so that a sum over replicas is the fleet's number,
 * not a multiple of it; only the leader recounts, so the recount too runs once per interval fleet-wide.
 */
@Singleton
public class FleetMetrics {

    private final Map<InstanceStatus, AtomicLong> counts = new EnumMap<>(InstanceStatus.class);
    private final List<Gauge> exported = new ArrayList<>();
    private final MeterRegistry registry;
    private final InstanceCounts kept;
    private final Leadership leadership;

    /**
     * The config mapping is injected only to be registered: Quarkus registers a mapping that something injects, and
     * only then is its default there for the schedule's key.
     */
    FleetMetrics(MeterRegistry registry, InstanceCounts kept, Leadership leadership, FleetMetricsConfig config) {
        this.registry = registry;
        this.kept = kept;
        this.leadership = leadership;
        for (InstanceStatus status : InstanceStatus.values()) {
            counts.put(status, new AtomicLong());
        }
    }

    /**
     * On the replicas' heartbeat thread (the first at start-up, before the application's own observers: a replica
     * that leads from the start exports from the start): one small read of the kept counts, then the gauges come or
     * go.
     */
    void onLeadershipChanged(@Observes LeadershipChanged changed) {
        if (changed.leader()) {
            export();
        } else {
            withdraw();
        }
    }

    /** Every {@link FleetMetricsConfig#instancesRefreshInterval()}, on the leader only. */
    @Scheduled(every = "${omnii.metrics.instances-refresh-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (leadership.isLeader()) {
            refresh();
        }
    }

    /** Reads the counts by state that the writers keep exact, instead of scanning the table. */
    public void refresh() {
        Map<InstanceStatus, Long> byState = kept.byState();
        counts.forEach((state, count) -> count.set(byState.getOrDefault(state, 0L)));
    }

    /** Counts first, so a new leader never exports zeros it did not count. */
    private synchronized void export() {
        if (!exported.isEmpty()) {
            return;
        }
        try {
            refresh();
        } catch (RuntimeException e) {
            Log.warnf("Cannot count the instances for omnii_instances: %s; exporting the last counts", e.getMessage());
        }
        counts.forEach((status, count) -> exported.add(Gauge.builder("omnii.instances", count, AtomicLong::get)
                .description("Instances by state (exported by the leading replica only)")
                .tag("state", status.wire())
                .register(registry)));
    }

    private synchronized void withdraw() {
        exported.forEach(registry::remove);
        exported.clear();
    }
}
