package io.omnii.server.mqtt;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The server's one connection to the MQTT broker, for the life of the process. It reconnects with capped exponential
 * backoff and jitter, renews its subscriptions on every connect, hands incoming messages on without acknowledging
 * them (the receiver acknowledges after its database commit), and completes a QoS 1 publish only on the broker's
 * PUBACK. Start-up never waits for it: the server comes up unready while the broker is down.
 */
@Singleton
public class BrokerConnection {

    private static final long MIN_BACKOFF_MS = 500;
    private static final long MAX_BACKOFF_MS = 30_000;
    private static final int MQTT_MAX_MESSAGE_BYTES = 268_435_455;

    private final Vertx vertx;
    private final MqttConfig config;
    private final Clock clock;
    private final Map<String, Integer> subscriptions = new LinkedHashMap<>();
    private final List<Consumer<MqttPublishMessage>> receivers = new CopyOnWriteArrayList<>();
    private final Map<Integer, CompletableFuture<Void>> awaitingPuback = new ConcurrentHashMap<>();
    private final Set<Integer> earlyPubacks = ConcurrentHashMap.newKeySet();

    private volatile Context context;
    private volatile MqttClient client;
    private volatile boolean started;
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

    void onStart(@Observes StartupEvent event) {
        start();
    }

    /** Connects, once; further calls do nothing. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        context = vertx.getOrCreateContext();
        context.runOnContext(v -> connect());
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        MqttClient c = client;
        if (c != null && c.isConnected()) {
            c.disconnect();
        }
    }

    /** Subscribes at this QoS on every (re)connect, and delivers what arrives to the receiver, unacknowledged. */
    public synchronized void subscribe(List<String> filters, int qos, Consumer<MqttPublishMessage> receiver) {
        filters.forEach(f -> subscriptions.put(f, qos));
        receivers.add(receiver);
        MqttClient c = client;
        if (c != null && c.isConnected()) {
            context.runOnContext(v -> c.subscribe(Map.copyOf(subscriptions)));
        }
    }

    /** Acknowledges a received QoS 1 message, on the connection's own thread, in the order of the calls. */
    public void ack(MqttPublishMessage message) {
        context.runOnContext(v -> message.ack());
    }

    /**
     * Publishes at QoS 1, not retained. Completes when the broker has acknowledged (PUBACK); fails at once when not
     * connected, and when the connection drops before the acknowledgement.
     */
    public CompletionStage<Void> publish(String topic, byte[] payload) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        MqttClient c = client;
        if (c == null || !state.connected()) {
            done.completeExceptionally(new IllegalStateException("not connected to the MQTT broker"));
            return done;
        }
        context.runOnContext(v -> c.publish(topic, Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false)
                .onSuccess(packetId -> {
                    // Should the PUBACK have been read before the write's completion ran, it is waiting here.
                    if (earlyPubacks.remove(packetId)) {
                        done.complete(null);
                    } else {
                        awaitingPuback.put(packetId, done);
                    }
                })
                .onFailure(done::completeExceptionally));
        return done;
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
                // A stable id and a kept session: the broker holds our subscriptions and queues messages while we
                // are away, and redelivers what we had not acknowledged.
                .setCleanSession(false)
                .setKeepAliveInterval(30)
                .setAutoKeepAlive(true);
        options.setAutoAck(false); // we PUBACK after the commit (ack()); this setter returns nothing
        // The client drops the connection on a message over its limit, and the broker would redeliver that message
        // on every reconnect. So take anything MQTT allows; the ingest drops oversized payloads itself.
        options.setMaxMessageSize(MQTT_MAX_MESSAGE_BYTES);
        config.username().ifPresent(options::setUsername);
        config.password().ifPresent(options::setPassword);

        MqttClient c = MqttClient.create(vertx, options);
        client = c;
        c.publishHandler(message -> receivers.forEach(r -> r.accept(message)));
        c.publishCompletionHandler(packetId -> {
            if (!complete(packetId, null)) {
                earlyPubacks.add(packetId);
            }
        });
        c.publishCompletionExpirationHandler(packetId -> complete(packetId,
                new IllegalStateException("the broker did not acknowledge in time")));
        c.closeHandler(v -> {
            failPending();
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
                Map<String, Integer> filters;
                synchronized (this) {
                    filters = Map.copyOf(subscriptions);
                }
                if (!filters.isEmpty()) {
                    c.subscribe(filters);
                }
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

    private boolean complete(int packetId, Throwable failure) {
        CompletableFuture<Void> done = awaitingPuback.remove(packetId);
        if (done == null) {
            return false;
        }
        if (failure == null) {
            done.complete(null);
        } else {
            done.completeExceptionally(failure);
        }
        return true;
    }

    private void failPending() {
        List<CompletableFuture<Void>> pending = new ArrayList<>(awaitingPuback.values());
        awaitingPuback.clear();
        earlyPubacks.clear();
        pending.forEach(f -> f.completeExceptionally(new IllegalStateException("connection to the broker lost")));
    }

    private void retryLater() {
        if (stopping) {
            return;
        }
        long ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(failures++, 10));
        // Full jitter keeps restarted replicas from reconnecting in lock step.
        long delay = ThreadLocalRandom.current().nextLong(MIN_BACKOFF_MS, Math.max(MIN_BACKOFF_MS + 1, ceiling + 1));
        vertx.setTimer(delay, id -> context.runOnContext(v -> connect()));
    }
}
