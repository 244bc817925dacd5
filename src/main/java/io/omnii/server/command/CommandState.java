package io.omnii.server.command;

import io.omnii.server.common.WireEnum;

/** Where a command stands; docs/mqtt.md says which states each command can reach. */
public enum CommandState implements WireEnum {
    /** Waiting for the instance to be online. */
    QUEUED,
    /** Claimed by a server and being published. */
    SENDING,
    /** The broker acknowledged it (PUBACK). Final for restart, update and check_updates. */
    SENT,
    /** The instance answered: its next status (get_status) or metrics (get_metrics) arrived. */
    COMPLETED,
    /** Still queued when its time to live ran out. */
    EXPIRED,
    /** Sent, but no answer within the completion timeout. */
    TIMED_OUT,
    /** Could not be published after the allowed attempts. */
    FAILED,
    /** Still queued when its instance was decommissioned. */
    CANCELLED
}
