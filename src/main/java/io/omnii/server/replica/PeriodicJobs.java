package io.omnii.server.replica;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Periodic work that must run once per interval fleet-wide, not once per replica: every replica's scheduler fires,
 * and the first to claim the interval runs it. A claim made inside the job's own transaction is undone with the job
 * when the replica dies half way, so the next replica's tick does it whole.
 */
@Singleton
public class PeriodicJobs {

    /** Runs a little early count: schedulers on different replicas tick at slightly different moments. */
    static final double EARLY = 0.9;
    // Only when no row is there yet: against a row another replica's running job has claimed (an uncommitted
    // update), INSERT ... ON CONFLICT alone would wait for that job to end; the plain read does not.
    private static final String CREATE = """
            INSERT INTO periodic_job (name, ran_at, ran_by, runs)
            SELECT :job, '-infinity', :me, 0 WHERE NOT EXISTS (SELECT 1 FROM periodic_job WHERE name = :job)
            ON CONFLICT (name) DO NOTHING""";
    // SKIP LOCKED: while another replica runs the job (its claim is uncommitted), ours skips instead of waiting for it.
    private static final String CLAIM = """
            UPDATE periodic_job p SET ran_at = clock_timestamp(), ran_by = :me, runs = p.runs + 1
              FROM (SELECT name FROM periodic_job
                     WHERE name = :job AND ran_at <= clock_timestamp() - :early * interval '1 millisecond'
                     FOR UPDATE SKIP LOCKED) due
             WHERE p.name = due.name""";

    private final EntityManager em;
    private final Replicas replicas;
    private final MeterRegistry registry;
    private final Map<String, Counter> runs = new ConcurrentHashMap<>();

    PeriodicJobs(EntityManager em, Replicas replicas, MeterRegistry registry) {
        this.em = em;
        this.replicas = replicas;
        this.registry = registry;
    }

    /**
     * Whether this replica runs {@code job} now: true at most once per {@code interval} across all replicas. Joins the
     * caller's transaction, which must be the job's: the claim commits or rolls back with the work.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean claim(String job, Duration interval) {
        em.createNativeQuery(CREATE).setParameter("job", job).setParameter("me", replicas.incarnation())
                .executeUpdate();
        boolean mine = em.createNativeQuery(CLAIM).setParameter("job", job).setParameter("me", replicas.incarnation())
                .setParameter("early", (long) (interval.toMillis() * EARLY)).executeUpdate() == 1;
        if (mine) {
            counter(job).increment();
        }
        return mine;
    }

    /** Shows the job's run counter at zero before its first run here: each job registers at start-up. */
    public void register(String job) {
        counter(job);
    }

    private Counter counter(String job) {
        return runs.computeIfAbsent(job, j -> Counter.builder("omnii.periodic.job.runs").tag("job", j)
                .description("Periodic jobs this replica ran (each runs once per interval fleet-wide)")
                .register(registry));
    }

    /**
     * The same claim, committed at once: for work that is not one transaction (sliced purges, calls to the broker),
     * which must then be idempotent, since a replica dying half way leaves the rest to the next interval.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean claimNow(String job, Duration interval) {
        return claim(job, interval);
    }
}
