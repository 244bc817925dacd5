package io.omnii.server.fleet;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The fleet's Prometheus gauges. */
@ConfigMapping(prefix = "omnii.metrics")
public interface FleetMetricsConfig {

    /** How often {@code omnii_instances{state}} is recounted; read by name in FleetMetrics' schedule. */
    @WithDefault("15s")
    Duration instancesRefreshInterval();
}
