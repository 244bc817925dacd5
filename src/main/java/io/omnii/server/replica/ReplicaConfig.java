package io.omnii.server.replica;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How replicas tell each other they are alive (docs/architecture.md#replicas). */
@ConfigMapping(prefix = "omnii.replicas")
public interface ReplicaConfig {

    /** How often a replica renews its row and, if it leads, the leader lease. */
    @WithDefault("2s")
    Duration heartbeatInterval();

    /**
     * A replica not heard of for this long is gone: its leadership passes on, what it owned is taken over. At least
     * twice the heartbeat interval, so one late heartbeat is not a death.
     */
    @WithDefault("10s")
    Duration lease();
}
