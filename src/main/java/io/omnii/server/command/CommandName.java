package io.omnii.server.command;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The add-on guide's commands. Only get_status and get_metrics have an answer the server can see. */
public enum CommandName {
    RESTART,
    UPDATE,
    GET_STATUS,
    GET_METRICS,
    CHECK_UPDATES;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether an instance's reply (its next status or metrics message) completes the command. */
    public boolean expectsReply() {
        return this == GET_STATUS || this == GET_METRICS;
    }

    public static Optional<CommandName> fromWire(String value) {
        return Arrays.stream(values()).filter(c -> c.wire().equals(value)).findFirst();
    }
}
