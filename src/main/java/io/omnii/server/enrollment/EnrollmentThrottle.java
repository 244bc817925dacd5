package io.omnii.server.enrollment;

import io.omnii.server.common.Times;
import io.omnii.server.common.ApiException;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Token buckets in PostgreSQL that limit enroll attempts per client address and fleet-wide. Every attempt takes a
 * token from both buckets before the code is looked at; a successful enrollment gives them back, so only failures
 * count. The buckets live in the database so that all replicas share them.
 */
@ApplicationScoped
public class EnrollmentThrottle {

    static final String GLOBAL = "global";
    private static final String ADDRESS_PREFIX = "addr:";

    // One statement refills the bucket for the time elapsed and takes a token only if one is there, so concurrent
    // attempts can never overdraw it.
    private static final String TAKE = """
            INSERT INTO enrollment_throttle AS t (bucket, tokens, updated_at) VALUES (:bucket, :burst - 1, :now)
            ON CONFLICT (bucket) DO UPDATE
               SET tokens = LEAST(:burst, t.tokens + GREATEST(0, EXTRACT(EPOCH FROM (:now - t.updated_at))) * :rate) - 1,
                   updated_at = GREATEST(t.updated_at, :now)
             WHERE LEAST(:burst, t.tokens + GREATEST(0, EXTRACT(EPOCH FROM (:now - t.updated_at))) * :rate) >= 1
            RETURNING tokens""";
    private static final String GIVE_BACK = """
            UPDATE enrollment_throttle SET tokens = LEAST(:burst, tokens + 1) WHERE bucket = :bucket""";
    private static final String LEVEL = """
            SELECT LEAST(:burst, tokens + GREATEST(0, EXTRACT(EPOCH FROM (:now - updated_at))) * :rate)
              FROM enrollment_throttle WHERE bucket = :bucket""";
    private static final String FORGET_FULL = """
            DELETE FROM enrollment_throttle
             WHERE bucket <> :global
               AND tokens + GREATEST(0, EXTRACT(EPOCH FROM (:now - updated_at))) * :rate >= :burst""";

    private final EntityManager em;
    private final Clock clock;
    private final Limit perAddress;
    private final Limit global;
    private final EnrollmentMetrics metrics;

    EnrollmentThrottle(EntityManager em, Clock clock, EnrollmentConfig config, EnrollmentMetrics metrics) {
        this.em = em;
        this.clock = clock;
        EnrollmentConfig.Throttle t = config.throttle();
        this.perAddress = new Limit(t.perAddressBurst(), t.perAddressPerHour() / 3600.0);
        this.global = new Limit(t.globalBurst(), t.globalPerHour() / 3600.0);
        this.metrics = metrics;
    }

    private record Limit(int burst, double perSecond) {
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
    void forgetFullBuckets() {
        int deleted = em.createNativeQuery(FORGET_FULL)
                .setParameter("burst", (double) perAddress.burst())
                .setParameter("rate", perAddress.perSecond())
                .setParameter("now", now())
                .setParameter("global", GLOBAL)
                .executeUpdate();
        Log.debugf("Dropped %d full enrollment throttle buckets", deleted);
    }

    private boolean take(String bucket, Limit limit, OffsetDateTime now) {
        List<?> rows = em.createNativeQuery(TAKE)
                .setParameter("bucket", bucket)
                .setParameter("burst", (double) limit.burst())
                .setParameter("rate", limit.perSecond())
                .setParameter("now", now)
                .getResultList();
        return !rows.isEmpty();
    }

    private void giveBack(String bucket, Limit limit) {
        em.createNativeQuery(GIVE_BACK)
                .setParameter("bucket", bucket)
                .setParameter("burst", (double) limit.burst())
                .executeUpdate();
    }

    private double level(String bucket, Limit limit, OffsetDateTime now) {
        List<?> rows = em.createNativeQuery(LEVEL)
                .setParameter("bucket", bucket)
                .setParameter("burst", (double) limit.burst())
                .setParameter("rate", limit.perSecond())
                .setParameter("now", now)
                .getResultList();
        return rows.isEmpty() ? limit.burst() : ((Number) rows.get(0)).doubleValue();
    }

    private long secondsUntilToken(String bucket, Limit limit, OffsetDateTime now) {
        double missing = 1 - level(bucket, limit, now);
        return Math.max(1, (long) Math.ceil(missing / limit.perSecond()));
    }

    private OffsetDateTime now() {
        return Times.utc(clock.instant());
    }
}
