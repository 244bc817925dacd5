package io.omnii.server.fleet;

import io.omnii.server.common.WireEnum;

/** Why an instance's status changed. */
public enum TransitionReason implements WireEnum {
    /** The instance was enrolled and starts offline until it reports. */
    ENROLLED,
    /** A heartbeat arrived. */
    HEARTBEAT,
    /** The instance published a status. */
    REPORTED,
    /** No heartbeat within the presence timeout. */
    HEARTBEAT_TIMEOUT,
    /** An admin decommissioned it. */
    DECOMMISSIONED
}
