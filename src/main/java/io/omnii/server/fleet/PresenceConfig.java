package io.omnii.server.fleet;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Presence: when a silent instance turns offline. Under omnii.telemetry, the names operators already set. */
@ConfigMapping(prefix = "omnii.telemetry")
public interface PresenceConfig {

    /** An online instance with no heartbeat for this long turns offline (three missed 30 s beats). */
    @WithDefault("90s")
    Duration presenceTimeout();

    /** How often the presence sweep looks for silent instances. */
    @WithDefault("10s")
    Duration presenceSweepInterval();
}
