package io.omnii.server.command;

import io.omnii.server.common.WireEnum;
import java.util.Optional;

/** The add-on guide's commands. Only get_status and get_metrics have an answer the server can see. */
public enum CommandName implements WireEnum {
    RESTART,
    UPDATE,
    GET_STATUS,
    GET_METRICS,
    CHECK_UPDATES;

    /** Whether an instance's reply (its next status or metrics message) completes the command. */
    public boolean expectsReply() {
        return this == GET_STATUS || this == GET_METRICS;
    }

    public static Optional<CommandName> fromWire(String value) {
        return WireEnum.fromWire(CommandName.class, value);
    }
}
