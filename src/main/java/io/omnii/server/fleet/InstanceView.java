package io.omnii.server.fleet;

import java.time.Instant;
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
        Map<String, Object> latestMetrics,
        Long metricsAt) {

    public static InstanceView of(Instance i) {
        return new InstanceView(i.id, i.name, List.copyOf(i.tags), i.mqttClientId, i.status,
                millis(i.statusChangedAt), millis(i.enrolledAt), millis(i.lastSeenAt), millis(i.decommissionedAt),
                i.version, i.latestMetrics, millis(i.metricsAt));
    }

    private static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }
}
