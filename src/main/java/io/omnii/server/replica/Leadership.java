package io.omnii.server.replica;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.event.Event;
import jakarta.inject.Singleton;

/**
 * Which replica leads: the holder of the lease {@code leader} in PostgreSQL. The lease is renewed with every heartbeat
 * and expires {@code omnii.replicas.lease} after the last renewal, so a leader that dies (or loses the database) is
 * replaced within the lease plus one heartbeat. The leader runs what must run in one place continuously (the Matter
 * inventory's writes) and exports the fleet-wide gauges.
 */
@Singleton
public class Leadership {

    static final String LEADER = "leader";

    private final Leases leases;
    private final ReplicaConfig config;
    private final Event<LeadershipChanged> changed;
    private volatile boolean leader;
    /** System.nanoTime() until which the last renewal holds: measured from before it was sent, so never too late. */
    private volatile long validUntil;
    private boolean announced;

    Leadership(Leases leases, ReplicaConfig config, Event<LeadershipChanged> changed, MeterRegistry registry) {
        this.leases = leases;
        this.config = config;
        this.changed = changed;
        Gauge.builder("omnii.replica.leader", this, l -> l.isLeader() ? 1 : 0)
                .description("1 on the replica that leads (and exports the fleet-wide gauges), 0 on the others")
                .register(registry);
    }

    /** Whether this replica holds the leader lease now (false once a renewal is overdue, even before it expires). */
    public boolean isLeader() {
        return leader && System.nanoTime() - validUntil < 0;
    }

    /** On the heartbeat thread: take or renew the lease, then tell the observers if that changed anything. */
    void renew() {
        long sent = System.nanoTime();
        try {
            boolean holds = leases.takeOrRenew(LEADER, config.lease());
            validUntil = sent + config.lease().toNanos();
            leader = holds;
        } catch (RuntimeException e) {
            // Not renewed: leadership lapses by itself once the last renewal runs out (isLeader()).
            Log.debugf("Cannot renew the leader lease: %s", e.getMessage());
        }
        announce();
    }

    /** Fires LeadershipChanged when isLeader() differs from what the observers were last told. */
    void announce() {
        boolean now = isLeader();
        if (now != announced) {
            Log.infof(now ? "This replica leads" : "This replica no longer leads");
            // Marked as told only once every observer took it: one that failed hears it again next heartbeat.
            changed.fire(new LeadershipChanged(now));
            announced = now;
        }
    }

    /** At a graceful stop: the next replica need not wait for the lease to run out. */
    void release() {
        leader = false;
        leases.release(LEADER);
    }
}
