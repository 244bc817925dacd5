package io.omnii.server.command;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "omnii.commands")
public interface CommandConfig {

    /** How long a command may wait for its instance to come online, unless the request says otherwise. */
    @WithDefault("1h")
    Duration defaultTtl();

    /** Longest time to live a request may ask for. */
    @WithDefault("7d")
    Duration maxTtl();

    /** How long a sent get_status or get_metrics waits for the instance's answer. */
    @WithDefault("5m")
    Duration completionTimeout();

    /** Publish attempts before a command is failed. */
    @WithDefault("5")
    int maxAttempts();

    /** How often commands are expired, timed out and retried; read by name in CommandDispatcher's schedule. */
    @WithDefault("10s")
    Duration sweepInterval();
}
