package io.omnii.server.broker;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Per-instance broker accounts (docs/security.md). */
@ConfigMapping(prefix = "omnii.mqtt.provisioning")
public interface ProvisioningConfig {

    enum Mode {
        /** The add-on guide's broker: anonymous, no accounts. */
        NONE,
        /** Mosquitto 2 with its dynamic-security plugin, managed through the plugin's MQTT control API. */
        MOSQUITTO_DYNSEC
    }

    /** none (default) or mosquitto-dynsec. */
    @WithDefault("none")
    Mode mode();

    /** The dynamic-security admin account (the one `mosquitto_ctrl dynsec init` created). */
    Optional<String> adminUsername();

    Optional<String> adminPassword();

    /**
     * How often the broker's accounts are reconciled with the instances (also once at start-up); read by name in
     * BrokerAccounts' {@code @Scheduled}, which takes this default.
     */
    @WithDefault("1h")
    Duration reconcileInterval();

    /** How long one control-API request may take. */
    @WithDefault("10s")
    Duration requestTimeout();
}
