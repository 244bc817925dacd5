package io.omnii.server.fleet;

import io.omnii.server.common.Ids;
import io.omnii.server.common.Times;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * Where a listing resumes: just after this instance in enrollment order ({@code enrolled_at, id}). On the wire it is
 * opaque: base64url of {@code <enrolled_at in epoch microseconds>.<id>}, microseconds being what the timestamptz
 * column holds, so the instance it names compares equal to itself and a tie on the time is settled by the id.
 */
public record InstanceCursor(Instant enrolledAt, UUID id) {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    // Enrollment times lie between these; outside them PostgreSQL or its driver may have no timestamp to compare.
    private static final long MIN_MICROS = 0;
    private static final long MAX_MICROS = Times.micros(Instant.parse("9999-12-31T23:59:59Z"));

    public static InstanceCursor after(Instance last) {
        return new InstanceCursor(last.enrolledAt, last.id);
    }

    public String encode() {
        String plain = Times.micros(enrolledAt) + "." + id;
        return ENCODER.encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** Only what {@link #encode()} writes: anything else (even the same position spelled otherwise) is not a cursor. */
    public static Optional<InstanceCursor> decode(String text) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int dot = plain.indexOf('.');
            long micros = Long.parseLong(plain.substring(0, Math.max(dot, 0)));
            Optional<UUID> id = Ids.parse(plain.substring(dot + 1));
            return id.filter(i -> micros >= MIN_MICROS && micros <= MAX_MICROS)
                    .map(i -> new InstanceCursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), i))
                    .filter(c -> c.encode().equals(text));
        } catch (IllegalArgumentException e) { // not base64url, or not a number before the dot
            return Optional.empty();
        }
    }
}
