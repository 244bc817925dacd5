package io.omnii.server.sim;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The add-on guide's three payloads, as its example add-on builds them (field for field), with realistic values. */
public final class Payloads {

    private Payloads() {
    }

    /** {@code ha-instances/{id}/status}: startup, shutdown, error, and the answer to get_status. */
    public static byte[] status(String status, String version, long timestamp) {
        return ("{\"status\": \"" + status + "\", \"version\": \"" + version + "\", \"timestamp\": " + timestamp + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** {@code ha-instances/{id}/heartbeat}, every 30-60 s. */
    public static byte[] heartbeat(String status, long uptimeSeconds, long timestamp) {
        return ("{\"status\": \"" + status + "\", \"uptime\": " + uptimeSeconds + ", \"timestamp\": " + timestamp + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What the console's fleet table shows as CPU, memory and disk: metadata keys the guide leaves open
     * ({@code cpuPercent}, {@code memoryPercent}, {@code diskPercent}; docs/console.md).
     */
    public record Load(double cpuPercent, double memoryPercent, double diskPercent) {
    }

    /** {@code ha-instances/{id}/metrics}, every 5 minutes and on get_metrics. */
    public static byte[] metrics(long uptimeSeconds, String version, double stability, String supervisor, String os,
            int devices, int entities, String lastUpdate, int pendingUpdates, long timestamp) {
        return metrics(uptimeSeconds, version, stability, supervisor, os, devices, entities, lastUpdate,
                pendingUpdates, null, timestamp);
    }

    /** The same, with the host's load in the metadata when {@code load} is given. */
    public static byte[] metrics(long uptimeSeconds, String version, double stability, String supervisor, String os,
            int devices, int entities, String lastUpdate, int pendingUpdates, Load load, long timestamp) {
        String loadKeys = load == null ? "" : String.format(Locale.ROOT,
                ", \"cpuPercent\": %.1f, \"memoryPercent\": %.1f, \"diskPercent\": %.1f", load.cpuPercent(),
                load.memoryPercent(), load.diskPercent());
        return String.format(Locale.ROOT, """
                {"uptimeSeconds": %d, "version": "%s", "stabilityScore": %.3f, "metadata": {"coreVersion": "%s", \
                "supervisorVersion": "%s", "osVersion": "%s", "totalDevices": %d, "totalEntities": %d, \
                "lastUpdate": "%s", "pendingUpdates": %d%s}, "timestamp": %d}""", uptimeSeconds, version, stability,
                version, supervisor, os, devices, entities, lastUpdate, pendingUpdates, loadKeys, timestamp)
                .getBytes(StandardCharsets.UTF_8);
    }

    public static String topic(String instanceId, String kind) {
        return "ha-instances/" + instanceId + "/" + kind;
    }
}
