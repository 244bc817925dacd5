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

    /** Epoch milliseconds, or null. */
    public static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }
}
