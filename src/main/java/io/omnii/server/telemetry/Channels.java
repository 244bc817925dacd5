package io.omnii.server.telemetry;

/** Reactive messaging channel names of the telemetry feature. */
public final class Channels {

    /** Every instance's status, heartbeat and metrics messages, from {@code omnii-mqtt}. */
    public static final String TELEMETRY = "telemetry";

    private Channels() {
    }
}
