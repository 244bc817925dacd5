package io.omnii.server.telemetry;

import io.omnii.server.common.Times;
import io.omnii.server.replica.PeriodicJobs;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;

/** Deletes metrics history older than the retention period, in slices so no transaction holds locks for long. */
@ApplicationScoped
public class MetricsRetention {

    /** Its name in periodic_job and omnii_periodic_job_runs_total. */
    static final String JOB = "metrics-retention";
    static final Duration INTERVAL = Duration.ofHours(1);
    private static final int SLICE = 10_000;
    private static final String PURGE = """
            DELETE FROM metrics_sample WHERE ctid IN (
                SELECT ctid FROM metrics_sample WHERE received_at < :cutoff LIMIT :slice)""";

    private final EntityManager em;
    private final Clock clock;
    private final TelemetryConfig config;
    private final PeriodicJobs jobs;

    MetricsRetention(EntityManager em, Clock clock, TelemetryConfig config, PeriodicJobs jobs) {
        this.em = em;
        this.clock = clock;
        this.config = config;
        this.jobs = jobs;
    }

    void onStart(@Observes StartupEvent event) {
        jobs.register(JOB);
    }

    /**
     * Once per interval fleet-wide. The purge is many transactions, so the claim commits first: each slice commits
     * whole, and one left undone by a replica that dies is old enough for the next interval's purge too.
     */
    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (jobs.claimNow(JOB, INTERVAL)) {
            purge();
        }
    }

    /** Returns how many samples were deleted. */
    public long purge() {
        OffsetDateTime cutoff = Times.utc(clock.instant()).minus(config.retention());
        long total = 0;
        int deleted;
        do {
            deleted = purgeSlice(cutoff);
            total += deleted;
        } while (deleted == SLICE);
        if (total > 0) {
            Log.infof("Purged %d metrics samples older than %s", total, config.retention());
        }
        return total;
    }

    /** One slice, committed on its own: the purge as a whole is not one transaction. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    int purgeSlice(OffsetDateTime cutoff) {
        return em.createNativeQuery(PURGE).setParameter("cutoff", cutoff).setParameter("slice", SLICE).executeUpdate();
    }
}
