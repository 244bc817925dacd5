package io.omnii.server.mqtt;

import io.omnii.server.common.Threads;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

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
    private static final int MAX_INFLIGHT_PUBLISHES = 1_000;
    /** SmallRye Reactive Messaging's start-up observer and BrokerAccounts.onStart. */
    static final int AFTER_ACCOUNTS_AND_CHANNELS = Interceptor.Priority.LIBRARY_BEFORE;

    /**
     * A message from the broker, not yet acknowledged. {@code connection} counts the connections this process made:
     * a packet id means something only on the connection it arrived on.
     */
    public record Received(String topic, byte[] payload, boolean duplicate, int messageId, int qos, long connection) {
    }

    /**
     * Whether the broker accepted us, since when the state holds, and why the last attempt failed. {@code connection}
     * counts the connections made, set with {@code connected} once the connect has completed.
     */
    public record State(boolean connected, Instant since, Optional<String> lastError, long connection) {
    }

    private final MqttConfig config;
    private final BrokerTransport transport;
    private final Clock clock;
    private final Map<String, Integer> subscriptions = new LinkedHashMap<>();
    private final List<Consumer<Received>> receivers = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService retries =
            Executors.newSingleThreadScheduledExecutor(Threads.named("omnii-mqtt-reconnect"));

    private volatile MqttAsyncClient client;
    private volatile boolean stopping;
    private volatile State state = new State(false, null, Optional.empty(), 0);
    private int failures;

    BrokerConnection(MqttConfig config, BrokerTransport transport, Clock clock, MeterRegistry registry) {
        this.config = config;
        this.transport = transport;
        this.clock = clock;
        Gauge.builder("omnii.mqtt.connected", this, b -> b.state().connected() ? 1 : 0)
                .description("1 while the server is connected to the MQTT broker").register(registry);
    }

    /**
     * Right after the observers at {@link #AFTER_ACCOUNTS_AND_CHANNELS}, before the others: the connection is then
     * made on Paho's threads while they run. Not earlier: reactive messaging wires the channels, which register the
     * receivers, at that priority, and a kept session is redelivered at once on connect (a message with no receiver
     * yet would be dropped unacknowledged); and BrokerAccounts creates the server's own broker account there.
     */
    void onStart(@Observes @Priority(io.omnii.server.common.Lifecycle.BROKER_CONNECTION) StartupEvent event) {
        start();
    }

    /** Connects, once; further calls do nothing. */
    public synchronized void start() {
        if (client != null) {
            return;
        }
        try {
            client = new MqttAsyncClient(transport.uri(), config.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalStateException("invalid MQTT broker address " + address(), e);
        }
        // The receiver acknowledges, after its commit (ack()).
        client.setManualAcks(true);
        client.setCallback(new Callback());
        connect();
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        retries.shutdownNow();
        BrokerTransport.close(client);
    }

    /** Subscribes at this QoS on every (re)connect, and delivers what arrives to the receiver, unacknowledged. */
    public synchronized void subscribe(List<String> filters, int qos, Consumer<Received> receiver) {
        filters.forEach(f -> subscriptions.put(f, qos));
        receivers.add(receiver);
        if (state.connected()) {
            subscribeAll(client);
        }
    }

    /**
     * Acknowledges a received message (PUBACK for QoS 1). Calls in arrival order keep the broker's order. Returns
     * whether the acknowledgement was sent: not for QoS 0, nor while disconnected, nor for a message that arrived on an
     * earlier connection. The broker redelivers such a message; and a broker that lost our session (a restart
     * without persistence) numbers new messages afresh, so the old packet id could acknowledge a different message
     * that is not stored yet.
     */
    public boolean ack(Received message) {
        MqttAsyncClient c = client;
        // The state, not c.isConnected(): Paho counts a connection as made at its CONNACK, before our connect
        // listener has numbered it, and a message of the old one would pass in between.
        State s = state;
        if (message.qos() == 0 || c == null || !s.connected() || message.connection() != s.connection()) {
            return false;
        }
        try {
            c.messageArrivedComplete(message.messageId(), message.qos());
            return true;
        } catch (MqttException e) {
            Log.debugf("PUBACK for message %d not sent: %s", message.messageId(), e.getMessage());
            return false;
        }
    }

    /**
     * Publishes at QoS 1, not retained. Completes when the broker has acknowledged (PUBACK); fails at once when not
     * connected.
     */
    public CompletionStage<Void> publish(String topic, byte[] payload) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        MqttAsyncClient c = client;
        if (c == null || !state.connected()) {
            done.completeExceptionally(new IllegalStateException("not connected to the MQTT broker"));
            return done;
        }
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);
        message.setRetained(false);
        try {
            c.publish(topic, message, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    done.complete(null);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    done.completeExceptionally(failure);
                }
            });
        } catch (MqttException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    public State state() {
        return state;
    }

    public String address() {
        return transport.address();
    }

    private void connect() {
        if (stopping) {
            return;
        }
        MqttConnectOptions options = new MqttConnectOptions();
        // A stable id and a kept session: the broker holds our subscriptions and queues messages while we are
        // away, and redelivers what we had not acknowledged.
        options.setCleanSession(false);
        options.setKeepAliveInterval(30);
        options.setConnectionTimeout(10);
        options.setAutomaticReconnect(false); // ours, with jitter, below
        options.setMaxInflight(MAX_INFLIGHT_PUBLISHES);
        config.username().ifPresent(options::setUserName);
        config.password().ifPresent(p -> options.setPassword(p.toCharArray()));
        try {
            transport.apply(options);
            client.connect(options, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    failures = 0;
                    state = new State(true, clock.instant(), Optional.empty(), state.connection() + 1);
                    Log.infof("Connected to the MQTT broker at %s as %s", address(), config.clientId());
                    subscribeAll(client);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    connectFailed(failure);
                }
            });
        } catch (MqttException | RuntimeException e) {
            // A TLS set-up failure too: on a reconnection nobody else would see it, and we must keep retrying.
            connectFailed(e);
        }
    }

    private void connectFailed(Throwable failure) {
        String error = String.valueOf(failure.getMessage());
        if (failures == 0) {
            Log.warnf("Cannot reach the MQTT broker at %s: %s; retrying", address(), error);
        }
        state = new State(false, state.connected() || state.since() == null ? clock.instant() : state.since(),
                Optional.of(error), state.connection());
        retryLater();
    }

    private synchronized void subscribeAll(MqttAsyncClient c) {
        if (subscriptions.isEmpty()) {
            return;
        }
        String[] filters = subscriptions.keySet().toArray(String[]::new);
        int[] qos = subscriptions.values().stream().mapToInt(Integer::intValue).toArray();
        try {
            c.subscribe(filters, qos);
        } catch (MqttException e) {
            Log.warnf("Subscribing to %s failed: %s", String.join(", ", filters), e.getMessage());
        }
    }

    private void retryLater() {
        if (stopping) {
            return;
        }
        long ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(failures++, 10));
        // Full jitter keeps restarted replicas from reconnecting in lock step.
        long delay = ThreadLocalRandom.current().nextLong(MIN_BACKOFF_MS, Math.max(MIN_BACKOFF_MS + 1, ceiling + 1));
        retries.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private final class Callback implements MqttCallbackExtended {

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            // State and subscriptions are handled by the connect listener.
        }

        @Override
        public void connectionLost(Throwable cause) {
            Log.warnf("Lost the MQTT broker at %s: %s", address(), cause == null ? "closed" : cause.getMessage());
            state = new State(false, clock.instant(), Optional.of(cause == null ? "connection closed"
                    : String.valueOf(cause.getMessage())), state.connection());
            retryLater();
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            Received received = new Received(topic, message.getPayload(), message.isDuplicate(), message.getId(),
                    message.getQos(), state.connection());
            receivers.forEach(r -> r.accept(received));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // Publishers are told through their own listener.
        }
    }
}
