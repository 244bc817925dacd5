package io.omnii.server.telemetry;

import io.omnii.server.mqtt.MqttInboundConnector;

/** Reactive messaging channel names of the telemetry feature. */
public final class Channels {

    /**
     * Every instance's status, heartbeat and metrics messages, from {@link MqttInboundConnector#NAME}: application
     * properties choose the connector by that name ({@code mp.messaging.incoming.telemetry.connector}).
     */
    public static final String TELEMETRY = "telemetry";

    private Channels() {
    }
}
