package io.omnii.server.audit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "omnii.audit")
public interface AuditConfig {

    /** How long audit entries are kept; older ones are purged as a whole prefix of the chain. */
    @WithDefault("400d")
    Duration retention();

    /** How often the retention purge runs (also once at start-up). */
    @WithDefault("24h")
    Duration purgeInterval();
}
