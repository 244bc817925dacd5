package io.omnii.server.fleet;

import java.time.Instant;
import java.util.UUID;

/**
 * Fired inside the decommissioning transaction, so what observers change commits or rolls back with it. An event,
 * not a call: the features that react to it already depend on fleet.
 */
public record InstanceDecommissioned(UUID instanceId, Instant at) {
}
