package io.omnii.server.fleet;

import java.time.Instant;
import java.util.UUID;

/**
 * Fired inside the decommissioning transaction, to synchronous observers, so what they change commits or rolls back
 * with it, and an observer that fails (the broker cannot delete the account) fails the decommissioning. An event,
 * not a call: the features that react to it (commands, the broker) depend on fleet, never the other way.
 */
public record InstanceDecommissioned(UUID instanceId, String mqttClientId, Instant at) {
}
