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

    /** {@code ha-instances/{id}/metrics}, every 5 minutes and on get_metrics. */
    public static byte[] metrics(long uptimeSeconds, String version, double stability, String supervisor, String os,
            int devices, int entities, String lastUpdate, int pendingUpdates, long timestamp) {
        return String.format(Locale.ROOT, """
                {"uptimeSeconds": %d, "version": "%s", "stabilityScore": %.3f, "metadata": {"coreVersion": "%s", \
                "supervisorVersion": "%s", "osVersion": "%s", "totalDevices": %d, "totalEntities": %d, \
                "lastUpdate": "%s", "pendingUpdates": %d}, "timestamp": %d}""", uptimeSeconds, version, stability,
                version, supervisor, os, devices, entities, lastUpdate, pendingUpdates, timestamp)
                .getBytes(StandardCharsets.UTF_8);
    }

    public static String topic(String instanceId, String kind) {
        return "ha-instances/" + instanceId + "/" + kind;
    }
}
