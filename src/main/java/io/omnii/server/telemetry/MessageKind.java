package io.omnii.server.telemetry;

import io.omnii.server.mqtt.Topics;
import java.util.Locale;
import java.util.Optional;

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

    /** The kind a topic's last segment names; asked for every message, so a switch rather than a search. */
    public static Optional<MessageKind> ofSegment(String segment) {
        return Optional.ofNullable(switch (segment) {
            case Topics.STATUS -> STATUS;
            case Topics.HEARTBEAT -> HEARTBEAT;
            case Topics.METRICS -> METRICS;
            default -> null;
        });
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
