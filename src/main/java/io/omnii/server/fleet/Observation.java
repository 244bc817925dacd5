package io.omnii.server.fleet;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * What an instance told us, as the presence rules ({@link Presence}) see it: {@code stamp} is the instance's own
 * timestamp, which orders its reports, {@code receivedAt} the server's clock when it arrived.
 */
public sealed interface Observation {

    UUID instanceId();

    Instant stamp();

    Instant receivedAt();

    /** A heartbeat: the status it says, and its uptime when it sends one. */
    record Heartbeat(UUID instanceId, Instant stamp, Instant receivedAt, InstanceStatus status, Long uptime)
            implements Observation {
    }

    /** A status report: the status, and the version when it sends one. */
    record Status(UUID instanceId, Instant stamp, Instant receivedAt, InstanceStatus status, String version)
            implements Observation {
    }

    /** A metrics report: it changes no status, only what the instance shows as its latest metrics. */
    record Metrics(UUID instanceId, Instant stamp, Instant receivedAt, String version, Long uptime,
            LatestMetrics latest) implements Observation {
    }

    /** The metrics an instance shows as its latest; {@code metadata} is the whole object, unknown keys included. */
    record LatestMetrics(Double stabilityScore, String coreVersion, String supervisorVersion, String osVersion,
            Integer totalDevices, Integer totalEntities, Integer pendingUpdates, Map<String, Object> metadata) {
    }
}
