package io.omnii.server.mqtt;

import java.util.UUID;

/** The topic names of the add-on guide. Instances publish under ha-instances/, the server under server/. */
public final class Topics {

    public static final String INSTANCE_PREFIX = "ha-instances/";
    public static final String SERVER_PREFIX = "server/";
    public static final String STATUS = "status";
    public static final String HEARTBEAT = "heartbeat";
    public static final String METRICS = "metrics";
    public static final String COMMANDS = "commands";

    private Topics() {
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
