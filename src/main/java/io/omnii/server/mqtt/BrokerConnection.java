package io.omnii.server.mqtt;

import com.hivemq.client.mqtt.lifecycle.MqttClientAutoReconnect;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.datatypes.MqttTopicFilter;
import com.hivemq.client.mqtt.lifecycle.MqttClientConnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.Mqtt5Unsubscribe;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.common.Lifecycle;
import io.omnii.server.common.Threads;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The server's one connection to the MQTT broker, for the life of the process, on the HiveMQ MQTT client (Netty), in
 * MQTT 5 so that our session expires (omnii.mqtt.session-expiry) once we have been away longer than that. The
 * client reconnects by itself with exponential backoff and jitter; on every connect the subscriptions are renewed.
 * Incoming messages are handed on without acknowledging them (the receiver acknowledges after its database commit),
 * and a QoS 1 publish completes only on the broker's PUBACK. Start-up never waits for it: the server comes up unready
 * while the broker is down. A graceful stop drains before it disconnects ({@link #drain}); {@link #adopt} makes the
 * one-off connections that drain a departed replica's session (docs/mqtt.md#replicas).
 */
@Singleton
public class BrokerConnection {

    static final Duration MIN_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final int KEEP_ALIVE_SECONDS = 30;
    /** MQTT 5's largest session expiry interval (a four-byte integer), which means the session never expires. */
    static final long MAX_SESSION_EXPIRY_SECONDS = 4_294_967_295L;

    /**
     * A message from the broker, not yet acknowledged. {@code connection} counts the connections this process made:
     * a packet id means something only on the connection it arrived on.
     */
    public record Received(String topic, byte[] payload, int qos, long connection, Mqtt5Publish publish,
            BrokerConnection via) {

        /** Acknowledges it on the connection it came on ({@link BrokerConnection#ack}). */
        public boolean ack() {
            return via.ack(this);
        }
    }

    /**
     * What a drain did: the messages received from its start (the UNSUBSCRIBE; for an adopting connection, from its
     * connect) to its end, and whether it ended
     * quiet (everything received acknowledged, nothing more for the quiet period) rather than at its timeout or with
     * the connection lost.
     */
    public record Drained(long messages, Duration took, boolean quiet) {
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
    private final Threads threads;
    /** The client id this connection uses: ours, or a departed replica's when this connection adopts its session. */
    private final String clientId;
    /** Whether this connection only drains a departed replica's session: never subscribes, never reconnects. */
    private final boolean adopter;
    private final Map<String, Integer> subscriptions;
    private final List<Receiver> receivers;
    /** QoS 1 messages delivered on the current connection and not acknowledged yet (reset on each connect). */
    private final AtomicInteger unacked = new AtomicInteger();
    /** Messages delivered on any connection: a drain watches it to tell when the broker has gone quiet. */
    private final AtomicLong delivered = new AtomicLong();
    /** Set once a drain has begun: a reconnect must not subscribe again. */
    private volatile boolean draining;
    /** Whether the graceful stop's drain, if one happened, ended quiet ({@link #drainedCleanly}). */
    private volatile boolean drainedCleanly = true;
    /**
     * The I/O thread of every adopting connection, made with the first (adoptions run one at a time); ours for an
     * adopting connection. One executor for the process, so adoptions add none to {@link Threads}.
     */
    private ExecutorService adoptedIo;

    /** Who gets what: the messages on topics that match its filters (a shared filter by the filter after its group). */
    private record Receiver(List<MqttTopicFilter> filters, Consumer<Received> consumer) {
        boolean wants(MqttTopic topic) {
            return filters.stream().anyMatch(f -> f.matches(topic));
        }
    }

    private volatile Mqtt5AsyncClient client;
    private volatile State state = new State(false, null, Optional.empty(), 0);

    @Inject
    BrokerConnection(MqttConfig config, BrokerTransport transport, Clock clock, MeterRegistry registry,
            Threads threads) {
        this.config = config;
        this.threads = threads;
        this.transport = transport;
        this.clock = clock;
        this.clientId = config.clientId();
        this.adopter = false;
        this.subscriptions = new LinkedHashMap<>();
        this.receivers = new CopyOnWriteArrayList<>();
        Gauge.builder("omnii.mqtt.connected", this, b -> b.state().connected() ? 1 : 0)
                .description("1 while the server is connected to the MQTT broker").register(registry);
    }

    /** A connection under a departed replica's client id that hands what it receives to our receivers. */
    private BrokerConnection(BrokerConnection ours, String clientId) {
        this.config = ours.config;
        this.threads = ours.threads;
        this.transport = ours.transport;
        this.clock = ours.clock;
        this.clientId = clientId;
        this.adopter = true;
        this.subscriptions = ours.subscriptions;
        this.receivers = ours.receivers;
        this.adoptedIo = ours.adoptedIo();
    }

    /**
     * A connection, not yet made, under a departed replica's client id, to drain the session the broker keeps for
     * it (replica/SessionAdoption): what it receives goes to this connection's receivers (the telemetry channel) and
     * is acknowledged on it. It never subscribes and never reconnects: the broker closing it means the replica is
     * back (it took its session over) or the broker is gone, and either way the adoption ends.
     */
    public BrokerConnection adopt(String departedClientId) {
        return new BrokerConnection(this, departedClientId);
    }

    private synchronized ExecutorService adoptedIo() {
        if (adoptedIo == null) {
            adoptedIo = threads.sequential(Threads.Name.MQTT_ADOPTED);
        }
        return adoptedIo;
    }

    /**
     * Connects an adopting connection once (clean start off, so the broker hands over the session it kept, with our
     * session expiry, so a session whose adopter dies is kept for the next). Returns whether the broker had a session
     * for that id; fails when it cannot connect.
     */
    public boolean connectOnce(Duration timeout) throws Exception {
        if (!adopter || client != null) {
            throw new IllegalStateException("connectOnce is for a connection made by adopt(), once");
        }
        Mqtt5AsyncClient c = builder().buildAsync();
        c.publishes(MqttGlobalPublishFilter.ALL, this::deliver, Runnable::run, true);
        client = c;
        return c.connectWith().cleanStart(false).sessionExpiryInterval(sessionExpirySeconds(config.sessionExpiry()))
                .keepAlive(KEEP_ALIVE_SECONDS).send().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .isSessionPresent();
    }

    /**
     * Ends the session: a DISCONNECT with session expiry 0, which Mosquitto honours by discarding it at once
     * (MosquittoSessionTest). For an adopting connection whose session is drained.
     */
    public void endSession() {
        disconnect(0L);
    }

    /** Disconnects, keeping the session for its expiry. */
    public void leave() {
        disconnect(null);
    }

    /** At {@link Lifecycle#BROKER_CONNECTION}: once the receivers are registered and the server's account exists. */
    void onStart(@Observes @Priority(Lifecycle.BROKER_CONNECTION) StartupEvent event) {
        start();
    }

    /** Connects, once; further calls do nothing, and so does a call on an adopting connection (connectOnce). */
    public synchronized void start() {
        if (client != null || adopter) {
            return;
        }
        long sessionExpiry = sessionExpirySeconds(config.sessionExpiry());
        Mqtt5AsyncClient c;
        try {
            Mqtt5ClientBuilder builder = builder()
                    // The library's retry: 0.5 s doubling up to 30 s, each delay ±25 % at random, so restarted
                    // replicas do not reconnect in lock step; also after a failed first connect.
                    .automaticReconnect(MqttClientAutoReconnect.builder()
                            .initialDelay(MIN_BACKOFF.toMillis(), TimeUnit.MILLISECONDS)
                            .maxDelay(MAX_BACKOFF.toMillis(), TimeUnit.MILLISECONDS).build());
            c = builder.buildAsync();
        } catch (RuntimeException e) {
            // A TLS set-up that cannot work (a missing TLS configuration, unreadable keys): the server runs unready.
            Log.warnf("Cannot reach the MQTT broker at %s: %s", address(), e.getMessage());
            state = new State(false, clock.instant(), Optional.of(String.valueOf(e.getMessage())), 0);
            return;
        }
        // The receiver acknowledges, after its commit (ack()). Delivered on the I/O thread itself (a direct executor):
        // no hand-off per message, and a receiver that waits stops the client reading its socket, so the broker keeps
        // what does not fit (the client itself would read on and buffer up to 65,535 unacknowledged messages).
        c.publishes(MqttGlobalPublishFilter.ALL, this::deliver, Runnable::run, true);
        client = c;
        // A stable id and a kept session: the broker holds our subscriptions and queues messages while we are away,
        // and redelivers what we had not acknowledged; but only for sessionExpiry, so that a replica that never comes
        // back stops taking its share of the shared subscription. The client sends this same CONNECT on every
        // reconnect. Failures reach disconnected(), and the client retries.
        c.connectWith().cleanStart(false).sessionExpiryInterval(sessionExpiry).keepAlive(KEEP_ALIVE_SECONDS).send();
    }

    /** The client, aimed at the broker under this connection's client id, with our account and listeners. */
    private Mqtt5ClientBuilder builder() {
        Mqtt5ClientBuilder builder = transport.mqtt5ClientBuilder(clientId)
                // One named I/O thread: it decodes, delivers to the receivers (which may block it when the
                // writer's queue is full, so the client stops reading the socket) and writes the PUBACKs.
                // An adopter's client lets go of the shared thread when it disconnects; the next adopter's runs on it.
                .executorConfig(MqttClientExecutorConfig.builder().nettyExecutor(
                        adopter ? adoptedIo : threads.sequential(Threads.Name.MQTT_IO)).nettyThreads(1).build())
                .addConnectedListener(this::connected)
                .addDisconnectedListener(this::disconnected);
        if (config.username().isPresent()) {
            // On the client, not on the connect: the client sends it on every reconnect too. The server's account
            // may connect under any client id (docs/mqtt.md#replicas), which adopting a session needs.
            builder.simpleAuth(Mqtt5SimpleAuth.builder().username(config.username().get())
                    .password(config.password().orElse("").getBytes(StandardCharsets.UTF_8)).build());
        }
        return builder;
    }

    /** The session expiry interval in seconds; refuses what MQTT 5 cannot say, and 0 (nothing kept while away). */
    static long sessionExpirySeconds(Duration expiry) {
        if (expiry.compareTo(Duration.ofSeconds(1)) < 0
                || expiry.compareTo(Duration.ofSeconds(MAX_SESSION_EXPIRY_SECONDS)) > 0) {
            throw new IllegalStateException("omnii.mqtt.session-expiry (OMNII_MQTT_SESSION_EXPIRY) must be from 1s to "
                    + MAX_SESSION_EXPIRY_SECONDS + "s, not " + expiry.toSeconds() + "s");
        }
        return expiry.toSeconds();
    }

    /**
     * At a graceful stop, at {@link Lifecycle#BROKER_DRAIN} (before the telemetry writer stops and before this
     * replica signs off): leave the shared group, finish what we have, then disconnect, keeping the session so that a
     * restart under the same id resubscribes where it left off.
     */
    void stop(@Observes @Priority(Lifecycle.BROKER_DRAIN) ShutdownEvent event) {
        if (client != null && state.connected()) {
            Drained d = drain(config.drainQuiet(), config.drainTimeout(), () -> true);
            drainedCleanly = d.quiet();
            Log.infof("Drained before stopping: %d messages in %d ms%s", d.messages(), d.took().toMillis(),
                    d.quiet() ? "" : "; not quiet (" + unacked.get() + " unacknowledged, connected " + state.connected()
                            + "): the broker redelivers what was not acknowledged");
        } else if (client != null) {
            // Not connected at the stop: the session may hold what was not acknowledged, and our group membership.
            drainedCleanly = false;
        }
        disconnect(null);
    }

    /**
     * Whether our session is left with nothing in it: true until a graceful stop, and after one whose drain ended
     * quiet; false after a drain cut by its timeout or by the connection's loss, or a stop while not connected. When
     * false, the replica must not sign off (Replicas): its row goes stale and its session is adopted like a dead
     * replica's (docs/mqtt.md#replicas), instead of waiting unread for its expiry.
     */
    public boolean drainedCleanly() {
        return drainedCleanly;
    }

    /**
     * Leaves the shared group (UNSUBSCRIBE: the broker hands us nothing new, but still delivers what it had queued
     * for our session, MosquittoSessionTest) and waits until everything received is acknowledged (the writer has
     * committed it) and nothing has arrived for {@code quiet}; at most {@code timeout}, and no longer than
     * {@code carryOn} says (checked every 50 ms) or the connection lasts. No subscription is renewed after this, even
     * on a reconnect.
     */
    public Drained drain(Duration quiet, Duration timeout, BooleanSupplier carryOn) {
        long start = System.nanoTime();
        draining = true;
        Mqtt5AsyncClient c = client;
        long before = adopter ? 0 : delivered.get(); // an adopter's session starts arriving as it connects
        if (c != null && !subscriptions.isEmpty()) {
            try {
                c.unsubscribe(Mqtt5Unsubscribe.builder().addTopicFilters(subscriptions.keySet().stream()
                        .map(MqttTopicFilter::of).toList()).build()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                Log.debugf("Unsubscribing %s before the drain: %s", clientId, e.getMessage());
            }
        }
        // Quiet is measured from the last time the count of deliveries moved, as seen by this loop (50 ms apart):
        // the ingest path pays nothing for it.
        long seen = delivered.get();
        long lastDelivery = System.nanoTime();
        boolean quietNow = false;
        // A connection lost meanwhile ends the drain: what it had not acknowledged, the broker sends again.
        while (System.nanoTime() - start < timeout.toNanos() && carryOn.getAsBoolean() && state.connected()) {
            long now = delivered.get();
            if (now != seen) {
                seen = now;
                lastDelivery = System.nanoTime();
            }
            if (unacked.get() == 0 && System.nanoTime() - lastDelivery >= quiet.toNanos()) {
                quietNow = true;
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new Drained(delivered.get() - before, Duration.ofNanos(System.nanoTime() - start), quietNow);
    }

    /** Disconnects with this session expiry (null: as connected); quietly, and never reconnects. */
    private void disconnect(Long sessionExpiry) {
        Mqtt5AsyncClient c = client;
        if (c == null) {
            return;
        }
        try {
            (sessionExpiry == null ? c.disconnect() : c.disconnectWith().sessionExpiryInterval(sessionExpiry).send())
                    .get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            Log.debugf("Disconnecting %s from the MQTT broker: %s", clientId, e.getMessage());
        }
    }

    /** Subscribes at this QoS on every (re)connect, and delivers what arrives to the receiver, unacknowledged. */
    public synchronized void subscribe(List<String> filters, int qos, Consumer<Received> receiver) {
        filters.forEach(f -> subscriptions.put(f, qos));
        receivers.add(new Receiver(filters.stream().map(MqttTopicFilter::of).toList(), receiver));
        if (state.connected()) {
            subscribeAll();
        }
    }

    /**
     * Acknowledges a received message (PUBACK for QoS 1). Calls in arrival order keep the broker's order. Returns
     * whether the acknowledgement was sent: not for QoS 0, nor while disconnected, nor for a message that arrived on an
     * earlier connection. The broker redelivers such a message; and a broker that lost our session (a restart
     * without persistence) numbers new messages afresh, so the old packet id could acknowledge a different message
     * that is not stored yet. (The client checks the same on its I/O thread, so a connection lost after this check
     * still gets no acknowledgement of an old message.)
     */
    public boolean ack(Received message) {
        State s = state;
        if (message.qos() == 0 || !s.connected() || message.connection() != s.connection()) {
            return false;
        }
        try {
            message.publish().acknowledge();
            unacked.decrementAndGet();
            return true;
        } catch (IllegalStateException alreadyAcknowledged) {
            return false;
        }
    }

    /**
     * Publishes at QoS 1, not retained. Completes when the broker has acknowledged (PUBACK); fails at once when not
     * connected, and when the PUBACK refuses it (an MQTT 5 error reason code, such as not authorised).
     */
    public CompletionStage<Void> publish(String topic, byte[] payload) {
        Mqtt5AsyncClient c = client;
        if (c == null || !state.connected()) {
            return CompletableFuture.failedFuture(new IllegalStateException("not connected to the MQTT broker"));
        }
        return c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(false).payload(payload).send()
                .thenApply(published -> null);
    }

    public State state() {
        return state;
    }

    public String address() {
        return transport.address();
    }

    private void deliver(Mqtt5Publish publish) {
        MqttTopic topic = publish.getTopic();
        Received received = new Received(topic.toString(), publish.getPayloadAsBytes(), publish.getQos().getCode(),
                state.connection(), publish, this);
        if (received.qos() > 0) {
            unacked.incrementAndGet();
        }
        delivered.incrementAndGet();
        for (Receiver r : receivers) {
            if (r.wants(topic)) {
                r.consumer().accept(received);
            }
        }
    }

    private void connected(MqttClientConnectedContext context) {
        // What the last connection left unacknowledged the broker sends again, and counts anew.
        unacked.set(0);
        state = new State(true, clock.instant(), Optional.empty(), state.connection() + 1);
        if (adopter) {
            return; // connectOnce() says whether a session was there; an adopter never subscribes
        }
        // Whether what the fleet published while we were away was kept for us: once per connect.
        if (((Mqtt5ClientConnectedContext) context).getConnAck().isSessionPresent()) {
            Log.infof("Connected to the MQTT broker at %s as %s; the broker kept our session", address(),
                    config.clientId());
        } else {
            Log.infof("Connected to the MQTT broker at %s as %s; a new session (none kept: first connect, a broker "
                    + "that lost it, or away longer than %d s)", address(), config.clientId(),
                    config.sessionExpiry().toSeconds());
        }
        subscribeAll();
    }

    private void disconnected(MqttClientDisconnectedContext context) {
        State s = state;
        if (context.getSource() == MqttDisconnectSource.USER || adopter) {
            // An adopter's connection closed by the broker: the session's owner took it over (Mosquitto says no
            // more than a closed socket, MosquittoSessionTest), or the broker went; SessionAdoption says which.
            // Our own disconnect at shutdown: nothing lost, nothing to warn about.
            state = new State(false, clock.instant(), Optional.empty(), s.connection());
            return;
        }
        String error = String.valueOf(context.getCause().getMessage());
        if (s.connected()) {
            Log.warnf("Lost the MQTT broker at %s: %s", address(), error);
        } else if (s.lastError().isEmpty()) {
            Log.warnf("Cannot reach the MQTT broker at %s: %s; retrying", address(), error);
        }
        state = new State(false, s.connected() || s.since() == null ? clock.instant() : s.since(), Optional.of(error),
                s.connection());
    }

    private synchronized void subscribeAll() {
        Mqtt5AsyncClient c = client;
        if (subscriptions.isEmpty() || c == null || draining || adopter) {
            return;
        }
        List<Mqtt5Subscription> all = subscriptions.entrySet().stream().map(e -> Mqtt5Subscription.builder()
                .topicFilter(e.getKey()).qos(MqttQos.fromCode(e.getValue())).build()).toList();
        c.subscribe(Mqtt5Subscribe.builder().addSubscriptions(all).build()).whenComplete((ack, failure) -> {
            if (failure != null) {
                Log.warnf("Subscribing to %s failed: %s", String.join(", ", subscriptions.keySet()),
                        failure.getMessage());
            }
        });
    }
}
