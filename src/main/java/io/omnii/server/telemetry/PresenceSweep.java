package io.omnii.server.telemetry;

import io.omnii.server.common.Times;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.OffsetDateTime;

/**
 * Turns instances offline that sent no heartbeat within the presence timeout, recording why. One statement does
 * it; rows another replica or the telemetry writer holds are skipped (they are being refreshed), so two replicas
 * sweeping at once never record a transition twice.
 */
@ApplicationScoped
public class PresenceSweep {

    private static final String SWEEP = """
            WITH stale AS (
                SELECT id, status FROM instance
                 WHERE status IN ('online', 'error') AND last_seen_at < :cutoff
                 FOR UPDATE SKIP LOCKED),
            gone AS (
                UPDATE instance i SET status = 'offline', status_changed_at = :now
                  FROM stale WHERE i.id = stale.id
                RETURNING i.id, stale.status AS was),
            counted AS (
                UPDATE instance_count c SET n = c.n + d.delta
                  FROM (SELECT was AS status, -count(*) AS delta FROM gone GROUP BY was
                        UNION ALL SELECT 'offline', count(*) FROM gone) d
                 WHERE c.status = d.status)
            INSERT INTO instance_event (instance_id, at, from_status, to_status, reason)
            SELECT id, :now, was, 'offline', 'heartbeat_timeout' FROM gone""";

    private final EntityManager em;
    private final Clock clock;
    private final TelemetryConfig config;

    PresenceSweep(EntityManager em, Clock clock, TelemetryConfig config) {
        this.em = em;
        this.clock = clock;
        this.config = config;
    }

    @Scheduled(every = "${omnii.telemetry.presence-sweep-interval:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        sweep();
    }

    /** Returns how many instances turned offline. */
    @Transactional
    public int sweep() {
        OffsetDateTime now = Times.utc(clock.instant());
        int gone = em.createNativeQuery(SWEEP)
                .setParameter("now", now)
                .setParameter("cutoff", now.minus(config.presenceTimeout()))
                .executeUpdate();
        if (gone > 0) {
            Log.infof("%d instance(s) offline: no heartbeat for %s", gone, config.presenceTimeout());
        }
        return gone;
    }
}
