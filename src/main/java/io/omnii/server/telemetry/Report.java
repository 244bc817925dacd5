package io.omnii.server.telemetry;

import io.omnii.server.fleet.InstanceStatus;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A validated message from an instance. {@code timestamp} is the instance's own, from the payload. */
public sealed interface Report {

    UUID instanceId();

    Instant timestamp();

    MessageKind kind();

    /** ha-instances/{id}/status: {"status", "version", "timestamp"}. */
    record Status(UUID instanceId, InstanceStatus status, String version, Instant timestamp) implements Report {
        public MessageKind kind() {
            return MessageKind.STATUS;
        }
    }

    /** ha-instances/{id}/heartbeat: {"status", "uptime", "timestamp"}. */
    record Heartbeat(UUID instanceId, InstanceStatus status, Long uptime, Instant timestamp) implements Report {
        public MessageKind kind() {
            return MessageKind.HEARTBEAT;
        }
    }

    /**
     * ha-instances/{id}/metrics: {"uptimeSeconds", "version", "stabilityScore", "metadata", "timestamp"}. The guide's
     * metadata keys are typed; {@code metadata} keeps the whole object, unknown keys included.
     */
    record Metrics(UUID instanceId, Long uptimeSeconds, String version, Double stabilityScore, String coreVersion,
            String supervisorVersion, String osVersion, Integer totalDevices, Integer totalEntities,
            Integer pendingUpdates, Map<String, Object> metadata, Instant timestamp) implements Report {
        public MessageKind kind() {
            return MessageKind.METRICS;
        }
    }
}
