package io.omnii.server.common;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Conversions between our instants, SQL timestamptz parameters and results, and the API's epoch milliseconds. */
public final class Times {

    private Times() {
    }

    /** A timestamptz parameter; JDBC and Hibernate bind OffsetDateTime without guessing a zone. */
    public static OffsetDateTime utc(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    /** A timestamptz read by a native query, whichever Java type the driver chose. */
    public static Instant instant(Object value) {
        if (value == null || value instanceof Instant) {
            return (Instant) value;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalArgumentException("not a timestamp: " + value.getClass());
    }

    /**
     * Epoch microseconds, what a timestamptz holds, or null. By hand: on JDK 17 {@code ChronoUnit.MICROS.between}
     * counts nanoseconds first and overflows for times 292 years from 1970.
     */
    public static Long micros(Instant t) {
        return t == null ? null : t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    /** Epoch milliseconds, or null. */
    public static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }
}
