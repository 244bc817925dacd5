package io.omnii.server.matter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.common.Backoff;
import io.omnii.server.common.Change;
import io.omnii.server.common.Threads;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.BasicWebSocketConnector;
import io.quarkus.websockets.next.WebSocketClientConnection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * One long-lived connection to the Matter Server (docs/matter.md). On every connection: read the server-info frame,
 * refuse a server outside schema 11's range, send start_listening once, hand the snapshot and then the events to
 * the {@link MatterListener}s, in order, off the event loop. Replies are matched by message_id only. A dropped
 * connection fails every pending command at once and reconnects with the shared backoff ({@link Backoff}, up to
 * omnii.matter.max-reconnect-delay), from the first wait again once the server listens; each reconnection is a full
 * resync. Pings are ours to send (quarkus.websockets-next.client.auto-ping-interval).
 */
@Singleton
public class MatterClient {

    /** The schema this client speaks, as both official clients do. */
    public static final int CLIENT_SCHEMA = 11;
    /** RFC 6455's code for a connection that ended without a close frame; never sent, only reported. */
    static final int ABNORMAL_CLOSURE = 1006;
    /** The id of the one Matter Server in a {@link Change}. */
    public static final String SERVER = "server";

    /** Connection state for health and the API; serverInfo is the latest the server sent. */
    public record State(boolean connected, Instant since, Optional<String> lastError, JsonNode serverInfo) {
    }

    private final MatterConfig config;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final Instance<MatterListener> listeners;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong messageIds = new AtomicLong();
    private final ExecutorService dispatch;
    private final Event<Change> changes;

    private volatile WebSocketClientConnection connection;
    private volatile State state = new State(false, null, Optional.empty(), null);
    private volatile boolean stopping;
    /** The connection attempt under way: done once the server listens, failed if it ends before. */
    private volatile CompletableFuture<Void> attempt;
    private volatile Cancellable reconnecting;
    /** The connection that just ended without a close frame (Vert.x says so before it reports the close). */
    private volatile WebSocketClientConnection cut;

    MatterClient(MatterConfig config, Clock clock, ObjectMapper mapper, Vertx vertx, Instance<MatterListener> listeners,
            MeterRegistry registry, Threads threads, Event<Change> changes) {
        this.config = config;
        this.changes = changes;
        this.dispatch = threads.sequential(Threads.Name.MATTER_EVENTS);
        this.clock = clock;
        this.mapper = mapper;
        this.vertx = vertx;
        this.listeners = listeners;
        Gauge.builder("omnii.matter.connected", this, c -> c.state().connected() ? 1 : 0)
                .description("1 while connected to the Matter Server and listening").register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (config.url().isEmpty()) {
            Log.info("Matter relay off: omnii.matter.url is not set");
            return;
        }
        connectUntilListening(false);
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        Cancellable retrying = reconnecting;
        if (retrying != null) {
            retrying.cancel();
        }
        WebSocketClientConnection c = connection;
        if (c != null && c.isOpen()) {
            c.closeAndAwait();
        }
        failPending("the server is shutting down");
    }

    public boolean enabled() {
        return config.url().isPresent();
    }

    public State state() {
        return state;
    }

    /** Every change of the connection's state is announced: the console shows it live. */
    private void state(State next) {
        state = next;
        changes.fire(Change.fleetWide(Change.Kind.MATTER_SERVER, SERVER));
    }

    /**
     * Sends a command like {@link #send} and hands its outcome to {@code outcome} on the thread that hands events to
     * the listeners, after every event the server sent before its answer: the outcome then sees what those events
     * changed (a commissioning's result comes after the node_added of its node).
     */
    public void sendThenHandleAfterPrecedingEvents(String command, ObjectNode args, Duration timeout,
            BiConsumer<JsonNode, Throwable> outcome) {
        // Queued behind the events when the answer arrives, on the connection's thread that queued them.
        send(command, args, timeout).whenCompleteAsync(outcome, dispatch);
    }

    /**
     * Sends a command; the stage completes with its result, or fails with a {@link MatterServerException}: the
     * server's error, no answer within the timeout, or no connection (at once).
     */
    public CompletionStage<JsonNode> send(String command, ObjectNode args, Duration timeout) {
        return send(connection, command, args, timeout, true);
    }

    private CompletableFuture<JsonNode> send(WebSocketClientConnection c, String command, ObjectNode args,
            Duration timeout, boolean needsListening) {
        if (c == null || !c.isOpen() || (needsListening && !state.connected())) {
            return CompletableFuture.failedFuture(new MatterServerException(MatterServerException.UNAVAILABLE,
                    "not connected to the Matter Server" + state.lastError().map(e -> " (" + e + ")").orElse("")));
        }
        String id = Long.toString(messageIds.incrementAndGet());
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode message = mapper.createObjectNode().put("message_id", id).put("command", command);
        message.set("args", args == null ? mapper.createObjectNode() : args);
        try {
            c.sendText(mapper.writeValueAsString(message)).subscribe().with(sent -> {
            }, failure -> fail(id, "sending failed: " + failure.getMessage()));
        } catch (JsonProcessingException e) {
            fail(id, "could not encode the command");
        }
        return reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((result, failure) -> {
                    pending.remove(id);
                    if (failure == null) {
                        return CompletableFuture.completedFuture(result);
                    }
                    Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause()
                            : failure;
                    return CompletableFuture.<JsonNode>failedFuture(cause instanceof TimeoutException
                            ? new MatterServerException(MatterServerException.TIMEOUT,
                                    command + ": no answer within " + timeout.toSeconds() + " s")
                            : cause);
                })
                .thenCompose(f -> f);
    }

    /**
     * Connects until the server listens, waiting between failed attempts with the shared backoff; once listening,
     * the next loss starts this again from the first wait. After a loss it first waits {@link Backoff#FIRST}: a
     * server that drops every connection once it listens is then not asked again at once, every time.
     */
    private void connectUntilListening(boolean afterLoss) {
        if (stopping) {
            return;
        }
        Uni<Void> attempts = Backoff.untilSuccess(Uni.createFrom().completionStage(this::connect),
                config.maxReconnectDelay(), () -> stopping);
        Uni<Void> episode = afterLoss
                ? Uni.createFrom().voidItem().onItem().delayIt().by(Backoff.FIRST).chain(() -> attempts)
                : attempts;
        reconnecting = episode.subscribe().with(listening -> {
        }, stopped -> {
        });
    }

    /** One connection attempt; the stage completes once the server listens, and fails if it ends before. */
    private CompletableFuture<Void> connect() {
        CompletableFuture<Void> listening = new CompletableFuture<>();
        attempt = listening;
        URI uri = URI.create(config.url().orElseThrow());
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        BasicWebSocketConnector.create()
                .baseUri(uri.getScheme() + "://" + uri.getRawAuthority())
                .path(path)
                .executionModel(BasicWebSocketConnector.ExecutionModel.NON_BLOCKING)
                // Known from the first moment, so that a close during the handshake still leads to a reconnection.
                .onOpen(c -> connection = c)
                .onTextMessage(this::onText)
                .onError(this::onError)
                .onClose((c, reason) -> onClosed(c, "connection closed ("
                        + (c == cut ? ABNORMAL_CLOSURE : reason.getCode()) + ")"))
                .connect()
                .subscribe().with(c -> {
                    connection = c;
                    // The server speaks first; one that says nothing is not a Matter Server we can use.
                    vertx.setTimer(config.connectTimeout().toMillis(), t -> {
                        if (connection == c && state.serverInfo() == null && c.isOpen()) {
                            state(disconnected("no server info within " + config.connectTimeout().toSeconds() + " s"));
                            closeQuietly(c);
                        }
                    });
                }, failure -> {
                    state(disconnected(String.valueOf(failure.getMessage())));
                    listening.completeExceptionally(failure);
                });
        return listening;
    }

    private void onText(WebSocketClientConnection c, String text) {
        JsonNode message;
        try {
            message = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            Log.warnf("Ignored a frame from the Matter Server that is not JSON");
            return;
        }
        // Classified by the first key present, as the official clients do.
        if (message.has("event")) {
            onEvent(message.path("event").asText(), message.path("data"));
        } else if (message.has("message_id")) {
            onReply(message);
        } else if (message.has("sdk_version")) {
            onServerInfo(c, message);
        }
    }

    private void onReply(JsonNode message) {
        CompletableFuture<JsonNode> reply = pending.get(message.path("message_id").asText());
        if (reply == null) {
            return; // timed out already
        }
        if (message.has("error_code")) {
            String details = message.path("details").asText("");
            reply.completeExceptionally(new MatterServerException(message.path("error_code").asInt(),
                    details.isEmpty() ? "error " + message.path("error_code").asInt() : details));
        } else {
            reply.complete(message.path("result"));
        }
    }

    private void onServerInfo(WebSocketClientConnection c, JsonNode info) {
        int schema = info.path("schema_version").asInt(-1);
        int minimum = info.path("min_supported_schema_version").asInt(Integer.MAX_VALUE);
        if (schema < CLIENT_SCHEMA || minimum > CLIENT_SCHEMA) {
            String error = "unsupported Matter Server: schema " + schema + ", minimum " + minimum + "; this client speaks "
                    + CLIENT_SCHEMA;
            Log.errorf("%s (%s)", error, info.path("sdk_version").asText());
            state(new State(false, clock.instant(), Optional.of(error), info));
            closeQuietly(c);
            return;
        }
        state(new State(false, state.since(), state.lastError(), info));
        send(c, "start_listening", null, config.startListeningTimeout(), false).whenComplete((nodes, failure) -> {
            if (failure != null) {
                Log.warnf("start_listening failed: %s", failure.getMessage());
                closeQuietly(c);
                return;
            }
            state(new State(true, clock.instant(), Optional.empty(), info));
            List<JsonNode> snapshot = new ArrayList<>();
            nodes.forEach(snapshot::add);
            Log.infof("Listening to the Matter Server (%s, schema %d): %d nodes", info.path("sdk_version").asText(),
                    schema, snapshot.size());
            dispatch.execute(() -> listeners.forEach(l -> l.onSnapshot(info, snapshot)));
            attempt.complete(null);
        });
    }

    private void onEvent(String event, JsonNode data) {
        if ("server_info_updated".equals(event)) {
            state(new State(state.connected(), state.since(), state.lastError(), data));
        }
        dispatch.execute(() -> listeners.forEach(l -> l.onEvent(event, data)));
    }

    /**
     * Without this handler Vert.x logs every socket that ends without a close frame at ERROR ("Connection was
     * closed"). That is how a Matter Server restart or a network cut looks: expected, and reported by the close that
     * follows, with 1006 (Quarkus reports such a close as 1011, which would blame the server).
     */
    private void onError(WebSocketClientConnection c, Throwable failure) {
        if (failure instanceof HttpClosedException) {
            cut = c;
            return;
        }
        Log.warnf("Matter Server connection: %s", String.valueOf(failure));
    }

    private void onClosed(WebSocketClientConnection c, String why) {
        if (c != connection) {
            return;
        }
        connection = null;
        cut = null;
        if (stopping) {
            return; // our own close: stop() fails what is pending
        }
        failPending("the connection to the Matter Server was lost");
        dispatch.execute(() -> listeners.forEach(MatterListener::onDisconnected));
        if (state.connected()) {
            Log.warnf("Lost the Matter Server: %s", why);
        }
        state(new State(false, clock.instant(), state.lastError().or(() -> Optional.of(why)), state.serverInfo()));
        CompletableFuture<Void> current = attempt;
        if (!current.isDone()) {
            current.completeExceptionally(new MatterServerException(MatterServerException.UNAVAILABLE, why));
        } else if (!current.isCompletedExceptionally()) {
            connectUntilListening(true); // it was listening
        }
    }

    /** Closing is best effort: the close handler does the bookkeeping either way. */
    private static void closeQuietly(WebSocketClientConnection c) {
        c.close().subscribe().with(v -> {
        }, e -> {
        });
    }

    private State disconnected(String error) {
        return new State(false, clock.instant(), Optional.of(error), null);
    }

    private void failPending(String why) {
        pending.forEach((id, reply) -> reply.completeExceptionally(
                new MatterServerException(MatterServerException.UNAVAILABLE, why)));
        pending.clear();
    }

    private void fail(String id, String why) {
        CompletableFuture<JsonNode> reply = pending.remove(id);
        if (reply != null) {
            reply.completeExceptionally(new MatterServerException(MatterServerException.UNAVAILABLE, why));
        }
    }
}
