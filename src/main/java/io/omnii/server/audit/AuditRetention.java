package io.omnii.server.audit;

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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Deletes the audit entries older than {@code omnii.audit.retention}, always a whole prefix of the chain, and records
 * that it did: an {@code audit.purge} entry with the last seq deleted ({@code throughSeq}) and the hash the remaining
 * chain continues from ({@code continuesFrom}), by which the verifier accepts a chain that no longer starts at 1.
 */
@ApplicationScoped
public class AuditRetention {

    /** The detail keys of an audit.purge entry, which the verifier reads back. */
    static final String THROUGH_SEQ = "throughSeq";
    static final String CONTINUES_FROM = "continuesFrom";
    /** Its name in periodic_job and omnii_periodic_job_runs_total. */
    static final String JOB = "audit-retention";

    private final EntityManager em;
    private final AuditLog log;
    private final Clock clock;
    private final AuditConfig config;
    private final PeriodicJobs jobs;

    AuditRetention(EntityManager em, AuditLog log, Clock clock, AuditConfig config, PeriodicJobs jobs) {
        this.em = em;
        this.log = log;
        this.clock = clock;
        this.config = config;
        this.jobs = jobs;
    }

    void onStart(@Observes StartupEvent event) {
        jobs.register(JOB);
    }

    /** What one purge did. */
    public record Purged(long throughSeq, long deleted, long entrySeq) {
    }

    /** Once per interval fleet-wide: the claim is in the purge's one transaction, and rolls back with it. */
    @Scheduled(every = "${omnii.audit.purge-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void scheduled() {
        if (!jobs.claim(JOB, config.purgeInterval())) {
            return;
        }
        purge().ifPresent(p -> Log.infof("Purged %d audit entries through seq %d, older than %s", p.deleted(),
                p.throughSeq(), config.retention()));
    }

    /**
     * One transaction, under the chain's lock: nothing is appended meanwhile, and the purge's own entry links to the
     * head as it was. The prefix ends just before the oldest entry still within the retention, so an entry written
     * while the clock stood behind is kept rather than cut out of the middle.
     */
    @Transactional
    public Optional<Purged> purge() {
        log.lockChain();
        AuditLog.Head head = log.head();
        Number firstKept = (Number) em.createNativeQuery("SELECT min(seq) FROM audit_entry WHERE at >= :cutoff")
                .setParameter("cutoff", Times.utc(clock.instant().minus(config.retention()))).getSingleResult();
        long through = firstKept == null ? head.seq() : firstKept.longValue() - 1;
        Number oldest = (Number) em.createNativeQuery("SELECT min(seq) FROM audit_entry").getSingleResult();
        if (oldest == null || through < oldest.longValue()) {
            return Optional.empty();
        }
        String continuesFrom = (String) em.createNativeQuery("SELECT hash FROM audit_entry WHERE seq = :seq")
                .setParameter("seq", through).getSingleResult();
        // The trigger lets a DELETE through only up to this seq, only in this transaction, and only a whole prefix.
        allowPurgeThrough(Long.toString(through));
        int deleted = em.createNativeQuery("DELETE FROM audit_entry WHERE seq <= :through")
                .setParameter("through", through).executeUpdate();
        allowPurgeThrough("");
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put(THROUGH_SEQ, through);
        detail.put(CONTINUES_FROM, continuesFrom);
        detail.put("deleted", deleted);
        detail.put("retention", config.retention().toString());
        AuditEntry entry = log.append(Actor.system(), AuditAction.AUDIT_PURGE, Target.audit(), Outcome.SUCCESS, detail,
                head);
        return Optional.of(new Purged(through, deleted, entry.seq));
    }

    private void allowPurgeThrough(String seq) {
        em.createNativeQuery("SELECT set_config('omnii.audit_purge', :seq, true)").setParameter("seq", seq)
                .getSingleResult();
    }
}
