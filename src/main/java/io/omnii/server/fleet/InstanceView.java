package io.omnii.server.fleet;

import io.omnii.server.common.Times;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An instance as the API shows it. Times are epoch milliseconds, like the add-on guide's. */
public record InstanceView(
        UUID id,
        String name,
        List<String> tags,
        String mqttClientId,
        InstanceStatus status,
        Long statusChangedAt,
        Long enrolledAt,
        @Schema(nullable = true) Long lastSeenAt,
        @Schema(nullable = true) Long decommissionedAt,
        @Schema(nullable = true) String version,
        Latest latest) {

    /** The newest values the instance reported: uptime from heartbeats, the rest from metrics; each null until then. */
    public record Latest(@Schema(nullable = true) Long uptimeSeconds, @Schema(nullable = true) Double stabilityScore,
            @Schema(nullable = true) String coreVersion, @Schema(nullable = true) String supervisorVersion,
            @Schema(nullable = true) String osVersion, @Schema(nullable = true) Integer totalDevices,
            @Schema(nullable = true) Integer totalEntities, @Schema(nullable = true) Integer pendingUpdates,
            @Schema(nullable = true) Map<String, Object> metadata, @Schema(nullable = true) Long metricsAt) {
    }

    public static InstanceView of(Instance i) {
        return new InstanceView(i.id, i.name, List.copyOf(i.tags), i.mqttClientId, i.status,
                Times.millis(i.statusChangedAt), Times.millis(i.enrolledAt), Times.millis(i.lastSeenAt), Times.millis(i.decommissionedAt),
                i.version,
                new Latest(i.uptimeSeconds, i.stabilityScore, i.coreVersion, i.supervisorVersion, i.osVersion,
                        i.totalDevices, i.totalEntities, i.pendingUpdates, i.latestMetrics, Times.millis(i.metricsAt)));
    }
}
