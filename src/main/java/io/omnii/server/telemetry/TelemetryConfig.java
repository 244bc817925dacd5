package io.omnii.server.telemetry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "omnii.telemetry")
public interface TelemetryConfig {

    /** Larger MQTT payloads are dropped unread. */
    @WithDefault("65536")
    int maxPayloadBytes();

    /** Most messages written in one database transaction. */
    @WithDefault("500")
    int batchSize();

    /**
     * How long a batch of fewer than {@code TelemetryWriter.LINGER_ENOUGH} messages waits, from its first message's
     * arrival, for more before it is written: at a fleet's real cadence messages come one by one, and each alone
     * would pay a whole transaction.
     */
    @WithDefault("50ms")
    Duration batchLinger();

    /**
     * Most received messages waiting for the writer. When it is full the MQTT client stops reading, so the broker
     * keeps the rest in the server's persistent session instead of this process in memory.
     */
    @WithDefault("4000")
    int queueCapacity();

    /**
     * Reports stamped further ahead of the server's clock are refused ({@code future_timestamp}): a stamp in the
     * future would make every genuine report after it look older.
     */
    @WithDefault("5m")
    Duration maxClockSkew();

    /** How long metrics history is kept. */
    @WithDefault("30d")
    Duration retention();
}
