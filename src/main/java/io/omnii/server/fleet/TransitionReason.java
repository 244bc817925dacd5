package io.omnii.server.fleet;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Why an instance's status changed. */
public enum TransitionReason {
    /** The instance was enrolled and starts offline until it reports. */
    ENROLLED,
    /** A heartbeat arrived. */
    HEARTBEAT,
    /** The instance published a status. */
    REPORTED,
    /** No heartbeat within the presence timeout. */
    HEARTBEAT_TIMEOUT,
    /** An admin decommissioned it. */
    DECOMMISSIONED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
