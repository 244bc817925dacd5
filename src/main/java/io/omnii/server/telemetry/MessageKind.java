package io.omnii.server.telemetry;

import io.omnii.server.mqtt.Topics;
import java.util.Locale;

/** The three things an instance publishes, named after the last segment of their topic. */
public enum MessageKind {
    STATUS(Topics.STATUS),
    HEARTBEAT(Topics.HEARTBEAT),
    METRICS(Topics.METRICS);

    private final String segment;

    MessageKind(String segment) {
        this.segment = segment;
    }

    public String segment() {
        return segment;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
