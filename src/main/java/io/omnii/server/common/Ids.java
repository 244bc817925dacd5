package io.omnii.server.common;

import java.util.Optional;
import java.util.UUID;

/** Ids in paths and topics are canonical UUIDs; anything else names nothing. */
public final class Ids {

    private Ids() {
    }

    public static Optional<UUID> parse(String value) {
        return isCanonical(value) ? Optional.of(UUID.fromString(value)) : Optional.empty();
    }

    /** 8-4-4-4-12 hex digits. Checked by hand: it runs for every telemetry message, and a regex costs more. */
    private static boolean isCanonical(String value) {
        if (value == null || value.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = value.charAt(i);
            boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-'
                    : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Parses a path id, answering 404 for the given kind of thing when it is not a UUID. */
    public static UUID pathId(String value, String what) {
        return parse(value).orElseThrow(() -> ApiException.notFound(what));
    }
}
