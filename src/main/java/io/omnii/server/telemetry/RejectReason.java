package io.omnii.server.telemetry;

import java.util.Locale;

/** Why an incoming MQTT message was dropped; each is a label of omnii_mqtt_messages_rejected_total. */
public enum RejectReason {
    BAD_TOPIC,
    TOO_LARGE,
    MALFORMED_JSON,
    INVALID_PAYLOAD,
    FUTURE_TIMESTAMP,
    UNKNOWN_INSTANCE,
    DECOMMISSIONED_INSTANCE,
    DATABASE_ERROR;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
