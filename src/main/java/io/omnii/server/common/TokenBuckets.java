package io.omnii.server.common;

import jakarta.persistence.EntityManager;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Token buckets in a PostgreSQL table of (bucket, tokens, updated_at), shared by every replica: the arithmetic of
 * the enrollment and sign-in throttles, each of which owns its table and passes it here. Every statement refills a
 * bucket for the time elapsed in SQL, so concurrent attempts can never overdraw it. Callers own the transaction.
 */
public final class TokenBuckets {

    /** A bucket's size and how fast it refills. */
    public record Limit(int burst, double perSecond) {

        public static Limit perHour(int burst, double perHour) {
            return new Limit(burst, perHour / 3600.0);
        }
    }

    private static final Pattern TABLE = Pattern.compile("[a-z_]+");
    private static final String REFILLED = "LEAST(:burst, t.tokens + GREATEST(0, EXTRACT(EPOCH FROM (:now - t.updated_at))) * :rate)";

    private final String take;
    private final String giveBack;
    private final String level;
    private final String forgetFull;

    /** The buckets of {@code table}: a constant of the owning feature, never input. */
    public TokenBuckets(String table) {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        take = "INSERT INTO " + table + " AS t (bucket, tokens, updated_at) VALUES (:bucket, :burst - 1, :now)"
                + " ON CONFLICT (bucket) DO UPDATE SET tokens = " + REFILLED + " - 1,"
                + " updated_at = GREATEST(t.updated_at, :now) WHERE " + REFILLED + " >= 1 RETURNING tokens";
        giveBack = "UPDATE " + table + " SET tokens = LEAST(:burst, tokens + 1) WHERE bucket = :bucket";
        level = "SELECT " + REFILLED + " FROM " + table + " t WHERE bucket = :bucket";
        forgetFull = "DELETE FROM " + table + " t WHERE starts_with(bucket, :prefix)"
                + " AND t.tokens + GREATEST(0, EXTRACT(EPOCH FROM (:now - t.updated_at))) * :rate >= :burst";
    }

    /** Takes a token from the bucket if one is there. */
    public boolean take(EntityManager em, String bucket, Limit limit, OffsetDateTime now) {
        List<?> rows = em.createNativeQuery(take)
                .setParameter("bucket", bucket)
                .setParameter("burst", (double) limit.burst())
                .setParameter("rate", limit.perSecond())
                .setParameter("now", now)
                .getResultList();
        return !rows.isEmpty();
    }

    /** Returns a token taken for an attempt that succeeded. */
    public void giveBack(EntityManager em, String bucket, Limit limit) {
        em.createNativeQuery(giveBack)
                .setParameter("bucket", bucket)
                .setParameter("burst", (double) limit.burst())
                .executeUpdate();
    }

    /** Seconds until the bucket holds a whole token again; at least 1. */
    public long secondsUntilToken(EntityManager em, String bucket, Limit limit, OffsetDateTime now) {
        List<?> rows = em.createNativeQuery(level)
                .setParameter("bucket", bucket)
                .setParameter("burst", (double) limit.burst())
                .setParameter("rate", limit.perSecond())
                .setParameter("now", now)
                .getResultList();
        double level = rows.isEmpty() ? limit.burst() : ((Number) rows.get(0)).doubleValue();
        return Math.max(1, (long) Math.ceil((1 - level) / limit.perSecond()));
    }

    /**
     * Deletes the buckets whose names start with {@code prefix} (all under {@code limit}) that have refilled
     * completely: they carry no information. Answers how many.
     */
    public int forgetFull(EntityManager em, String prefix, Limit limit, OffsetDateTime now) {
        return em.createNativeQuery(forgetFull)
                .setParameter("prefix", prefix)
                .setParameter("burst", (double) limit.burst())
                .setParameter("rate", limit.perSecond())
                .setParameter("now", now)
                .executeUpdate();
    }
}
