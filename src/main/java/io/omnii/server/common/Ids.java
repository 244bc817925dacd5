package io.omnii.server.common;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** Ids in paths and topics are canonical UUIDs; anything else names nothing. */
public final class Ids {

    private static final Pattern CANONICAL = Pattern.compile("[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}");

    private Ids() {
    }

    public static Optional<UUID> parse(String value) {
        return value != null && CANONICAL.matcher(value).matches() ? Optional.of(UUID.fromString(value)) : Optional.empty();
    }

    /** Parses a path id, answering 404 for the given kind of thing when it is not a UUID. */
    public static UUID pathId(String value, String what) {
        return parse(value).orElseThrow(() -> ApiException.notFound(what));
    }
}
