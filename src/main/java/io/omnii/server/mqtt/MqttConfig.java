package io.omnii.server.mqtt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "omnii.mqtt")
public interface MqttConfig {

    /** Broker host the server connects to. */
    @WithDefault("localhost")
    String host();

    /** Broker port the server connects to. */
    @WithDefault("1883")
    int port();

    /** Connect over TLS: the broker's certificate is checked, its host name included. */
    @WithDefault("false")
    boolean tls();

    /**
     * A Quarkus TLS configuration (quarkus.tls.NAME.trust-store.* for the broker's CA, .key-store.* for a client
     * certificate) used when tls is on. Unset: the JVM's trusted CAs and no client certificate.
     */
    Optional<String> tlsConfigurationName();

    /** Username of the server's own broker account, if the broker requires one. */
    Optional<String> username();

    /** Password of the server's own broker account. */
    Optional<String> password();

    /**
     * The server's MQTT client id; stable, so the broker keeps its session (and the messages queued for it) across
     * restarts. Each replica needs its own.
     */
    @WithDefault("omnii-server")
    String clientId();

    /**
     * How long the broker keeps our session (subscriptions and the messages queued for us) once our connection is
     * gone: the MQTT 5 session expiry interval, from 1 s to 4294967295 s (that most means never, the old behaviour).
     * A replica back under its client id within it loses nothing; after it the broker drops the session, so a replica
     * that never returns stops taking its share of the shared subscription.
     */
    @WithDefault("1h")
    Duration sessionExpiry();

    /**
     * Shared-subscription group for the telemetry topics ($share/GROUP/...), so that several replicas split the
     * stream instead of each getting every message. Empty subscribes plainly.
     */
    @WithDefault("omnii")
    Optional<String> sharedGroup();

    /**
     * At a graceful stop (and when adopting a departed replica's session), how long nothing may arrive, once
     * everything received is committed and acknowledged, before the connection is closed.
     */
    @WithDefault("500ms")
    Duration drainQuiet();

    /** The longest a drain may take; keep it well inside Kubernetes' termination grace period (30 s by default). */
    @WithDefault("15s")
    Duration drainTimeout();

    /**
     * Whether this replica adopts the MQTT sessions of replicas that departed for good (replica/SessionAdoption):
     * drains what the broker queued for them into the database, then ends their sessions.
     */
    @WithDefault("true")
    boolean adoptDepartedSessions();

    /** Broker URL handed to instances at enrollment; may differ from where the server itself connects. */
    @WithDefault("mqtt://localhost:1883")
    String instanceBrokerUrl();
}
