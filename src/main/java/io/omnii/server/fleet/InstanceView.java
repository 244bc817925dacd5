package io.omnii.server.fleet;

import io.omnii.server.common.Times;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** An instance as the API shows it. Times are epoch milliseconds, like the add-on guide's. */
public record InstanceView(
        UUID id,
        String name,
        List<String> tags,
        String mqttClientId,
        InstanceStatus status,
        Long statusChangedAt,
        Long enrolledAt,
        Long lastSeenAt,
        Long decommissionedAt,
        String version,
        Latest latest) {

    /** The newest values the instance reported: uptime from heartbeats, the rest from metrics. */
    public record Latest(Long uptimeSeconds, Double stabilityScore, String coreVersion, String supervisorVersion,
            String osVersion, Integer totalDevices, Integer totalEntities, Integer pendingUpdates,
            Map<String, Object> metadata, Long metricsAt) {
    }

    public static InstanceView of(Instance i) {
        return new InstanceView(i.id, i.name, List.copyOf(i.tags), i.mqttClientId, i.status,
                Times.millis(i.statusChangedAt), Times.millis(i.enrolledAt), Times.millis(i.lastSeenAt), Times.millis(i.decommissionedAt),
                i.version,
                new Latest(i.uptimeSeconds, i.stabilityScore, i.coreVersion, i.supervisorVersion, i.osVersion,
                        i.totalDevices, i.totalEntities, i.pendingUpdates, i.latestMetrics, Times.millis(i.metricsAt)));
    }
}
