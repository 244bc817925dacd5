package io.omnii.server.enrollment;

import io.omnii.server.common.Times;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.TokenBuckets;
import io.omnii.server.common.TokenBuckets.Limit;
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

/**
 * Token buckets in PostgreSQL that limit enroll attempts per client address and fleet-wide. Every attempt takes a
 * token from both buckets before the code is looked at; a successful enrollment gives them back, so only failures
 * count. The buckets live in the database so that all replicas share them.
 */
@ApplicationScoped
public class EnrollmentThrottle {

    static final String GLOBAL = "global";
    private static final String ADDRESS_PREFIX = "addr:";

    private static final TokenBuckets BUCKETS = new TokenBuckets("enrollment_throttle");

    /** The purge's name in periodic_job and omnii_periodic_job_runs_total. */
    static final String PURGE_JOB = "enrollment-throttle-purge";
    static final Duration PURGE_INTERVAL = Duration.ofHours(1);

    private final EntityManager em;
    private final Clock clock;
    private final Limit perAddress;
    private final Limit global;
    private final EnrollmentMetrics metrics;
    private final PeriodicJobs jobs;

    EnrollmentThrottle(EntityManager em, Clock clock, EnrollmentConfig config, EnrollmentMetrics metrics,
            PeriodicJobs jobs) {
        this.jobs = jobs;
        this.em = em;
        this.clock = clock;
        EnrollmentConfig.Throttle t = config.throttle();
        this.perAddress = Limit.perHour(t.perAddressBurst(), t.perAddressPerHour());
        this.global = Limit.perHour(t.globalBurst(), t.globalPerHour());
        this.metrics = metrics;
    }

    /** Takes one attempt from the address's bucket and the global one, or answers 429 with the wait. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void acquire(String address) {
        OffsetDateTime now = now();
        String bucket = ADDRESS_PREFIX + address;
        if (!take(bucket, perAddress, now)) {
            metrics.throttled(EnrollmentMetrics.Scope.ADDRESS);
            Log.debugf("Enrollment attempts from %s throttled", address);
            throw ApiException.tooManyRequests(secondsUntilToken(bucket, perAddress, now));
        }
        if (!take(GLOBAL, global, now)) {
            giveBack(bucket, perAddress);
            metrics.throttled(EnrollmentMetrics.Scope.GLOBAL);
            Log.debugf("Enrollment attempts throttled fleet-wide (last from %s)", address);
            throw ApiException.tooManyRequests(secondsUntilToken(GLOBAL, global, now));
        }
    }

    /** Returns the tokens of an attempt that succeeded. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void release(String address) {
        giveBack(ADDRESS_PREFIX + address, perAddress);
        giveBack(GLOBAL, global);
    }

    /** Full address buckets carry no information; dropping them keeps the table as small as the set of offenders. */
    @Scheduled(every = "1h", delayed = "10m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void scheduledPurge() {
        // Once per interval fleet-wide; the claim and the purge are one transaction.
        if (jobs.claim(PURGE_JOB, PURGE_INTERVAL)) {
            forgetFullBuckets();
        }
    }

    void onStart(@Observes StartupEvent event) {
        jobs.register(PURGE_JOB);
    }

    /** Answers how many buckets it dropped. */
    @Transactional
    int forgetFullBuckets() {
        int deleted = BUCKETS.forgetFull(em, ADDRESS_PREFIX, perAddress, now());
        Log.debugf("Dropped %d full enrollment throttle buckets", deleted);
        return deleted;
    }

    private boolean take(String bucket, Limit limit, OffsetDateTime now) {
        return BUCKETS.take(em, bucket, limit, now);
    }

    private void giveBack(String bucket, Limit limit) {
        BUCKETS.giveBack(em, bucket, limit);
    }

    private long secondsUntilToken(String bucket, Limit limit, OffsetDateTime now) {
        return BUCKETS.secondsUntilToken(em, bucket, limit, now);
    }

    private OffsetDateTime now() {
        return Times.utc(clock.instant());
    }
}
