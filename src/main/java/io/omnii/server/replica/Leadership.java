package io.omnii.server.replica;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.event.Event;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.UUID;

/**
 * Which replica leads: the holder of the lease {@code leader} in PostgreSQL. The lease is renewed with every heartbeat
 * and expires {@code omnii.replicas.lease} after the last renewal, so a leader that dies (or loses the database) is
 * replaced within the lease plus one heartbeat. The leader runs what must run in one place continuously (the Matter
 * inventory's writes) and exports the fleet-wide gauges.
 */
@Singleton
public class Leadership {

    static final String LEADER = "leader";
    // Taken when free or expired, renewed when ours; a row back means we hold it. Concurrent takers queue on the
    // row, and the second then sees the first's unexpired lease.
    private static final String TAKE_OR_RENEW = """
            INSERT INTO lease (name, holder, expires_at) VALUES (:name, :me, clock_timestamp() + :lease * interval '1 millisecond')
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE lease.holder = excluded.holder OR lease.expires_at < clock_timestamp()
            RETURNING holder""";

    private final EntityManager em;
    private final ReplicaConfig config;
    private final Event<LeadershipChanged> changed;
    private volatile boolean leader;
    /** System.nanoTime() until which the last renewal holds: measured from before it was sent, so never too late. */
    private volatile long validUntil;
    private boolean announced;

    Leadership(EntityManager em, ReplicaConfig config, Event<LeadershipChanged> changed, MeterRegistry registry) {
        this.em = em;
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
    void renew(UUID me) {
        long sent = System.nanoTime();
        try {
            boolean holds = takeOrRenew(me);
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
            announced = now;
            Log.infof(now ? "This replica leads" : "This replica no longer leads");
            changed.fire(new LeadershipChanged(now));
        }
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    boolean takeOrRenew(UUID me) {
        return !em.createNativeQuery(TAKE_OR_RENEW).setParameter("name", LEADER).setParameter("me", me)
                .setParameter("lease", config.lease().toMillis()).getResultList().isEmpty();
    }

    /** At a graceful stop: the next replica need not wait for the lease to run out. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    void release(UUID me) {
        leader = false;
        em.createNativeQuery("DELETE FROM lease WHERE name = :name AND holder = :me").setParameter("name", LEADER)
                .setParameter("me", me).executeUpdate();
    }
}
