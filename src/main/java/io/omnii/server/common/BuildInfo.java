package io.omnii.server.common;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** {@code omnii_build_info{version}} = 1: which version is running, for dashboards and alerts. */
@Startup
@Singleton
public class BuildInfo {

    BuildInfo(MeterRegistry registry, @ConfigProperty(name = "quarkus.application.version") String version) {
        Gauge.builder("omnii.build.info", () -> 1).description("The running version").tag("version", version)
                .register(registry);
    }
}
