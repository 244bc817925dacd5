package io.omnii.server.mqtt;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The server's own connection to the MQTT broker, kept up for the life of the process: reconnects with capped
 * exponential backoff and jitter, and reports its state to the readiness check. Never blocks start-up, so the
 * server comes up (unready) while the broker is down.
 */
@Singleton
public class BrokerConnection {

    private static final long MIN_BACKOFF_MS = 500;
    private static final long MAX_BACKOFF_MS = 30_000;

    private final Vertx vertx;
    private final MqttConfig config;
    private final Clock clock;

    private volatile MqttClient client;
    private volatile boolean stopping;
    private volatile State state = new State(false, null, Optional.empty());
    private int failures;

    /** Whether the broker accepted us, since when the state holds, and why the last attempt failed. */
    public record State(boolean connected, Instant since, Optional<String> lastError) {
    }

    BrokerConnection(Vertx vertx, MqttConfig config, Clock clock) {
        this.vertx = vertx;
        this.config = config;
        this.clock = clock;
    }

    void start(@Observes StartupEvent event) {
        connect();
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        MqttClient c = client;
        if (c != null && c.isConnected()) {
            c.disconnect();
        }
    }

    public State state() {
        return state;
    }

    public String address() {
        return config.host() + ":" + config.port();
    }

    private void connect() {
        MqttClientOptions options = new MqttClientOptions()
                .setClientId(config.clientId())
                // A stable id and a kept session: the broker holds our subscriptions and queued messages across restarts.
                .setCleanSession(false)
                .setKeepAliveInterval(30)
                .setAutoKeepAlive(true);
        config.username().ifPresent(options::setUsername);
        config.password().ifPresent(options::setPassword);

        MqttClient c = MqttClient.create(vertx, options);
        client = c;
        c.closeHandler(v -> {
            // A refused CONNECT closes too, but its failure path below already retries.
            if (state.connected()) {
                Log.warnf("Lost the MQTT broker at %s", address());
                state = new State(false, clock.instant(), Optional.of("connection closed"));
                retryLater();
            }
        });
        c.connect(config.port(), config.host()).onComplete(result -> {
            if (result.succeeded()) {
                failures = 0;
                state = new State(true, clock.instant(), Optional.empty());
                Log.infof("Connected to the MQTT broker at %s as %s", address(), config.clientId());
            } else {
                String error = String.valueOf(result.cause().getMessage());
                if (failures == 0) {
                    Log.warnf("Cannot reach the MQTT broker at %s: %s; retrying", address(), error);
                }
                state = new State(false, state.connected() || state.since() == null ? clock.instant() : state.since(),
                        Optional.of(error));
                retryLater();
            }
        });
    }

    private void retryLater() {
        if (stopping) {
            return;
        }
        long ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(failures++, 10));
        // Full jitter keeps a fleet of restarted replicas from reconnecting in lock step.
        long delay = ThreadLocalRandom.current().nextLong(MIN_BACKOFF_MS, Math.max(MIN_BACKOFF_MS + 1, ceiling + 1));
        vertx.setTimer(delay, id -> connect());
    }
}
