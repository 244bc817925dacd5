package io.omnii.server.matter;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "omnii.matter")
public interface MatterConfig {

    /** The Matter Server's WebSocket API, e.g. ws://localhost:5580/ws. Unset, the Matter relay is off. */
    Optional<String> url();

    /** How long the connection and the server-info frame may take. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** How long the node snapshot (start_listening) may take; it can be several MB. */
    @WithDefault("60s")
    Duration startListeningTimeout();

    /** Timeout of a commissioning: discovery, joining the network and up to three interviews. */
    @WithDefault("10m")
    Duration commissioningTimeout();

    /** Timeout of a re-interview of a node. */
    @WithDefault("5m")
    Duration interviewTimeout();

    /** How long node events (node_event) are kept. */
    @WithDefault("30d")
    Duration eventRetention();

    /** Timeout of commands other than commissioning and interviews. */
    @WithDefault("2m")
    Duration commandTimeout();

    /** Longest wait between reconnection attempts (they start at one second and double, with jitter). */
    @WithDefault("60s")
    Duration maxReconnectDelay();
}
