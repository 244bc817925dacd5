package io.omnii.server.mqtt;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The topic names of the add-on guide. Instances publish under ha-instances/, the server under server/. */
public final class Topics {

    public static final String INSTANCE_PREFIX = "ha-instances/";
    public static final String SERVER_PREFIX = "server/";
    public static final String STATUS = "status";
    public static final String HEARTBEAT = "heartbeat";
    public static final String METRICS = "metrics";
    public static final String COMMANDS = "commands";

    /** What the server subscribes to: every instance's telemetry. */
    public static final List<String> TELEMETRY_FILTERS = List.of(INSTANCE_PREFIX + "+/" + STATUS,
            INSTANCE_PREFIX + "+/" + HEARTBEAT, INSTANCE_PREFIX + "+/" + METRICS);

    private Topics() {
    }

    /** The filter as subscribed: inside a shared-subscription group when one is configured. */
    public static String shared(Optional<String> group, String filter) {
        return group.filter(g -> !g.isBlank()).map(g -> "$share/" + g + "/" + filter).orElse(filter);
    }

    public static String status(UUID instanceId) {
        return INSTANCE_PREFIX + instanceId + "/" + STATUS;
    }

    public static String heartbeat(UUID instanceId) {
        return INSTANCE_PREFIX + instanceId + "/" + HEARTBEAT;
    }

    public static String metrics(UUID instanceId) {
        return INSTANCE_PREFIX + instanceId + "/" + METRICS;
    }

    public static String commands(UUID instanceId) {
        return SERVER_PREFIX + instanceId + "/" + COMMANDS;
    }
}
