package io.omnii.server.matter.peer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.ConnectionBase;
import java.math.BigInteger;
import java.net.BindException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A stand-in for the Home Assistant Matter Server's WebSocket API (ws://127.0.0.1:port/ws), faithful to
 * shared/matter/PROTOCOL.md and the matterjs-server 1.4.1 transcript. It behaves as matterjs-server by default;
 * a {@link ServerInfo} whose sdk_version lacks the "matter-server/" prefix switches on the python-matter-server
 * differences (pretty-printed frames, null results, dropping the socket on bad input).
 *
 * <p>All state lives on one Vert.x context; the public controls run there and wait, so they may be called from
 * any test thread and take effect in call order with the frames the peer handles.
 */
public final class MatterServerPeer implements AutoCloseable {

    /** One text message a client sent, in arrival order; json is null when it was not valid JSON. */
    public record Received(int connection, String text, JsonNode json) {

        public String command() {
            return json == null ? null : json.path("command").asText(null);
        }
    }

    private record Failure(int code, String details) {
    }

    private static final class Connection {
        final int id;
        final ServerWebSocket ws;
        final HttpConnection http;
        boolean listening;

        Connection(int id, ServerWebSocket ws, HttpConnection http) {
            this.id = id;
            this.ws = ws;
            this.http = http;
        }
    }

    private static final class CommandError extends RuntimeException {
        final int code;

        CommandError(int code, String details) {
            super(details, null, false, false);
            this.code = code;
        }
    }

    private static final String HOST = "127.0.0.1";
    // start_listening snapshots run to several MB; the python client sets no limit at all.
    private static final int MAX_WEBSOCKET_SIZE = 256 * 1024 * 1024;
    private static final int BIND_ATTEMPTS = 100;
    private static final Duration BIND_RETRY = Duration.ofMillis(20);
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(15);
    private static final int DIAGNOSTICS_EVENTS = 25;
    private static final Set<String> COMMISSIONING = Set.of("commission_with_code", "commission_on_network");
    // The addresses the recorded light resolved to (get_node_ip_addresses with scoped=false, ping_node keys).
    private static final List<String> RECORDED_ADDRESSES = List.of("fe80::78de:3ff:fe8e:352a", "fd11::2", "10.56.0.2");
    private static final String RECORDED_SCOPE = "%srv0";
    private static final DateTimeFormatter MATTERJS_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'000'");
    private static final DateTimeFormatter PYTHON_DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter PYTHON_DATETIME_WHOLE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private final Vertx vertx;
    private final boolean ownsVertx;
    private final Context context;
    private final Thread loop;
    private volatile int port;
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final List<Received> received = new CopyOnWriteArrayList<>();

    // Touched only on the context.
    private HttpServer server;
    private final Set<Connection> connections = new LinkedHashSet<>();
    private ServerInfo info = ServerInfo.MATTERJS_1_4_1;
    private final Map<BigInteger, ObjectNode> nodes = new LinkedHashMap<>();
    private BigInteger nextNodeId = BigInteger.ONE;
    private long nextEventNumber = 1;
    private final Deque<JsonNode> recentEvents = new ArrayDeque<>();
    private final Map<String, Duration> delays = new HashMap<>();
    private final Map<String, Deque<Failure>> failures = new HashMap<>();
    private final Map<String, Function<JsonNode, JsonNode>> answers = new HashMap<>();
    private Duration followUp = Duration.ofSeconds(3);
    private CommissioningParameters commissioningParameters = CommissioningParameters.VIRTUAL_LIGHT;
    private Map<Integer, String> vendorNames = Map.of(4874, "Google");

    /** A peer on its own Vert.x instance, closed with the peer. */
    public MatterServerPeer() {
        this(Vertx.vertx(), true);
    }

    /** A peer on the caller's Vert.x instance, which the caller closes. */
    public MatterServerPeer(Vertx vertx) {
        this(vertx, false);
    }

    private MatterServerPeer(Vertx vertx, boolean ownsVertx) {
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
        this.context = vertx.getOrCreateContext();
        // Created on its own event loop (a caller's Vertx), it must not wait for that loop.
        this.loop = Vertx.currentContext() == context ? Thread.currentThread() : call(Thread::currentThread);
    }

    // ---- lifecycle ----

    /** Listens on a random free port the first time, and on the same port after {@link #stop()}. */
    public MatterServerPeer start() {
        await(() -> server != null ? Future.succeededFuture() : listen(BIND_ATTEMPTS));
        return this;
    }

    /** As if the server process died: every socket is cut without a close frame and the port closes. Nodes stay. */
    public void stop() {
        await(() -> {
            List.copyOf(connections).forEach(this::cut);
            return closeServer();
        });
    }

    /** A clean restart: server_shutdown to listening clients, a 1001 close on every socket, then the port closes. */
    public void shutdown() {
        await(() -> {
            broadcast("server_shutdown", emptyResult(), false);
            List<Future<Void>> closing = new ArrayList<>();
            for (Connection c : List.copyOf(connections)) {
                closing.add(c.ws.close((short) 1001));
            }
            return Future.join(closing).transform(ignored -> closeServer());
        });
    }

    @Override
    public void close() {
        stop();
        if (ownsVertx) {
            block(vertx.close().toCompletionStage().toCompletableFuture());
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "ws://" + HOST + ":" + port + "/ws";
    }

    // ---- test controls ----

    /** The ServerInfo sent on connect and as the server_info result, e.g. another schema to test the check. */
    public void serverInfo(ServerInfo serverInfo) {
        run(() -> info = serverInfo);
    }

    public ServerInfo serverInfo() {
        return call(() -> info);
    }

    /** Changes the ServerInfo and emits server_info_updated (matterjs: to every connection). */
    public void updateServerInfo(ServerInfo serverInfo) {
        run(() -> changeInfo(serverInfo));
    }

    /** Holds every later reply to this command (and its events) back, so replies can overtake each other. */
    public void replyDelay(String command, Duration delay) {
        run(() -> delays.put(command, delay));
    }

    /** The next command of this name fails with this error instead of running; calls queue up. */
    public void failNext(String command, int errorCode, String details) {
        run(() -> failures.computeIfAbsent(command, k -> new ArrayDeque<>()).add(new Failure(errorCode, details)));
    }

    /**
     * Answers a command with this function of its args from now on, for commands the peer does not emulate or for
     * answers a real device gives that the emulation does not (null: back to the emulation).
     */
    public void answer(String command, Function<JsonNode, JsonNode> result) {
        run(() -> answers.put(command, result));
    }

    /** When commissioning emits its late endpoint_added + node_updated (recorded: about 3 s); null: never. */
    public void followUpAfterCommissioning(Duration delay) {
        run(() -> followUp = delay);
    }

    public void commissioningParameters(CommissioningParameters parameters) {
        run(() -> commissioningParameters = parameters);
    }

    public void vendorNames(Map<Integer, String> names) {
        run(() -> vendorNames = Map.copyOf(names));
    }

    /** Adds a copy of the recorded light under the next node id and emits node_added; returns the id. */
    public BigInteger addVirtualLight() {
        return call(() -> {
            ObjectNode node = newLight();
            addNode0(node);
            return node.get("node_id").bigIntegerValue();
        });
    }

    /** Adds (or replaces) a node, given as MatterNodeData, and emits node_added. */
    public void addNode(ObjectNode node) {
        ObjectNode copy = node.deepCopy();
        run(() -> addNode0(copy));
    }

    /** Replaces a node and emits node_updated with it, e.g. with available:false. */
    public void updateNode(ObjectNode node) {
        ObjectNode copy = node.deepCopy();
        run(() -> {
            nodes.put(copy.get("node_id").bigIntegerValue(), copy);
            broadcast("node_updated", copy, false);
        });
    }

    public void removeNode(BigInteger nodeId) {
        run(() -> {
            nodes.remove(nodeId);
            broadcast("node_removed", new BigIntegerNode(nodeId), false);
        });
    }

    /** Sets one attribute ("e/c/a") of a known node and emits attribute_updated, changed or not. */
    public void updateAttribute(BigInteger nodeId, String path, Object value) {
        JsonNode json = Wire.tree(value);
        run(() -> setAttribute(requireNode(nodeId), path, json));
    }

    public void pushNodeEvent(MatterNodeEvent event) {
        run(() -> emitNodeEvent(event));
    }

    public void pushEndpointAdded(BigInteger nodeId, int endpointId) {
        run(() -> broadcast("endpoint_added", endpoint(nodeId, endpointId), false));
    }

    public void pushEndpointRemoved(BigInteger nodeId, int endpointId) {
        run(() -> broadcast("endpoint_removed", endpoint(nodeId, endpointId), false));
    }

    /** Any event, to listening connections, e.g. an unknown one the client must ignore. */
    public void pushEvent(String event, JsonNode data) {
        run(() -> broadcast(event, data, false));
    }

    /** Cuts every socket without a close frame, as a network failure would; the server keeps listening. */
    public void dropConnections() {
        run(() -> List.copyOf(connections).forEach(this::cut));
    }

    public ObjectNode node(BigInteger nodeId) {
        return call(() -> {
            ObjectNode node = nodes.get(nodeId);
            return node == null ? null : node.deepCopy();
        });
    }

    public List<ObjectNode> nodes() {
        return call(() -> nodes.values().stream().map(ObjectNode::deepCopy).toList());
    }

    /** Connections accepted since the peer was created. */
    public int connectionCount() {
        return connectionCount.get();
    }

    public int openConnections() {
        return call(connections::size);
    }

    public int listeningConnections() {
        return call(() -> (int) connections.stream().filter(c -> c.listening).count());
    }

    /** Every message received, in order, across connections. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(String command) {
        return received.stream().filter(r -> command.equals(r.command())).toList();
    }

    /** The args of the latest command of this name; fails when none was received. */
    public JsonNode lastArgs(String command) {
        List<Received> sent = received(command);
        if (sent.isEmpty()) {
            throw new AssertionError(command + " was never received");
        }
        return sent.get(sent.size() - 1).json().path("args");
    }

    public void clearReceived() {
        received.clear();
    }

    // ---- connections ----

    private void upgrade(HttpServerRequest request) {
        if (!"/ws".equals(request.path())) {
            request.response().setStatusCode(404).end();
            return;
        }
        request.toWebSocket().onSuccess(ws -> accept(ws, request.connection())).onFailure(e -> {
            if (!request.response().ended()) {
                request.response().setStatusCode(400).end(); // a plain HTTP request to /ws
            }
        });
    }

    private void accept(ServerWebSocket ws, HttpConnection http) {
        Connection c = new Connection(connectionCount.incrementAndGet(), ws, http);
        connections.add(c);
        ws.closeHandler(v -> connections.remove(c));
        // Clients vanish mid-frame in reconnect tests; that is expected, not worth a logged stack trace.
        ws.exceptionHandler(e -> connections.remove(c));
        ws.textMessageHandler(text -> onText(c, text));
        send(c, Wire.tree(info));
    }

    private void cut(Connection c) {
        connections.remove(c);
        // Vert.x has no public abort: HttpConnection.close() and even Channel.close() pass through its handler,
        // which sends a close frame first. Closing from the pipeline's first handler reaches only the socket.
        ((ConnectionBase) c.http).channel().pipeline().firstContext().close();
    }

    private Future<Void> listen(int attemptsLeft) {
        HttpServerOptions options = new HttpServerOptions().setHost(HOST).setPort(port)
                .setMaxWebSocketFrameSize(MAX_WEBSOCKET_SIZE)
                .setMaxWebSocketMessageSize(MAX_WEBSOCKET_SIZE);
        return vertx.createHttpServer(options).requestHandler(this::upgrade).listen().transform(ar -> {
            if (ar.succeeded()) {
                server = ar.result();
                port = server.actualPort();
                return Future.succeededFuture();
            }
            if (!(ar.cause() instanceof BindException) || attemptsLeft <= 1) {
                return Future.failedFuture(ar.cause());
            }
            // HttpServer.close() completes a moment before the old listener lets go of the port.
            Promise<Void> retried = Promise.promise();
            vertx.setTimer(BIND_RETRY.toMillis(), t -> listen(attemptsLeft - 1).onComplete(retried));
            return retried.future();
        });
    }

    private Future<Void> closeServer() {
        HttpServer closing = server;
        server = null;
        return closing == null ? Future.succeededFuture() : closing.close();
    }

    private void onText(Connection c, String text) {
        JsonNode json;
        try {
            json = Wire.parse(text);
        } catch (JsonProcessingException e) {
            received.add(new Received(c.id, text, null));
            rejectMalformed(c, e.getOriginalMessage());
            return;
        }
        received.add(new Received(c.id, text, json));
        if (!json.isObject()) {
            rejectMalformed(c, "Invalid message: " + text);
            return;
        }
        JsonNode messageId = json.get("message_id");
        if (!info.matterJs() && (messageId == null || !messageId.isTextual())) {
            c.ws.close(); // python-matter-server raises on a non-string id, which ends the socket
            return;
        }
        String command = json.path("command").asText(null);
        JsonNode args = json.hasNonNull("args") ? json.get("args") : Wire.MAPPER.createObjectNode();
        Duration delay = delays.getOrDefault(command, Duration.ZERO);
        if (delay.isZero()) {
            execute(c, messageId, command, args);
        } else {
            vertx.setTimer(Math.max(1, delay.toMillis()), t -> execute(c, messageId, command, args));
        }
    }

    /** matterjs answers unparsable input with an error for message_id ""; python-matter-server drops the socket. */
    private void rejectMalformed(Connection c, String details) {
        if (info.matterJs()) {
            error(c, TextNode.valueOf(""), 0, details);
        } else {
            c.ws.close();
        }
    }

    // ---- commands ----

    private void execute(Connection c, JsonNode id, String command, JsonNode args) {
        Deque<Failure> queued = failures.get(command);
        Failure failure = queued == null ? null : queued.poll();
        if (failure != null) {
            if (COMMISSIONING.contains(command)) {
                nextNodeId = nextNodeId.add(BigInteger.ONE); // a failed attempt uses up a node id too
            }
            error(c, id, failure.code(), failure.details());
            return;
        }
        try {
            Function<JsonNode, JsonNode> answer = answers.get(command);
            if (answer != null) {
                reply(c, id, answer.apply(args));
            } else {
                dispatch(c, id, command, args);
            }
        } catch (CommandError e) {
            error(c, id, e.code, e.getMessage());
        }
    }

    private void dispatch(Connection c, JsonNode id, String command, JsonNode args) {
        switch (command == null ? "" : command) {
            case "start_listening" -> startListening(c, id);
            case "server_info" -> reply(c, id, Wire.tree(info));
            case "diagnostics" -> reply(c, id, diagnostics());
            case "get_nodes" -> reply(c, id, nodeList(args.path("only_available").asBoolean(false)));
            case "get_node" -> reply(c, id, existingNode(args));
            case "commission_with_code" -> commissionWithCode(c, id, args);
            case "commission_on_network" -> {
                required(args, "setup_pin_code");
                commission(c, id);
            }
            case "set_wifi_credentials" -> {
                required(args, "ssid");
                required(args, "credentials");
                changeInfo(info.withCredentials(true, info.threadCredentialsSet()));
                reply(c, id, emptyResult());
            }
            case "set_thread_dataset" -> setThreadDataset(c, id, args);
            case "interview_node" -> interview(c, id, args);
            case "remove_node" -> remove(c, id, args);
            case "open_commissioning_window" -> {
                readyNode(args);
                reply(c, id, Wire.tree(commissioningParameters));
            }
            case "get_vendor_names" -> reply(c, id, vendorNames(args));
            case "read_attribute" -> reply(c, id, readAttributes(args));
            case "device_command" -> deviceCommand(c, id, args);
            case "write_attribute" -> reply(c, id, writeAttribute(args));
            case "ping_node" -> {
                existingNode(args);
                ObjectNode result = Wire.MAPPER.createObjectNode();
                RECORDED_ADDRESSES.forEach(address ->
                        result.put(address.startsWith("fe80:") ? address + RECORDED_SCOPE : address, true));
                reply(c, id, result);
            }
            case "get_node_ip_addresses" -> {
                existingNode(args);
                boolean scoped = args.path("scoped").asBoolean(false);
                ArrayNode result = Wire.MAPPER.createArrayNode();
                RECORDED_ADDRESSES.forEach(address ->
                        result.add(scoped && address.startsWith("fe80:") ? address + RECORDED_SCOPE : address));
                reply(c, id, result);
            }
            default -> throw new CommandError(9, "Unknown command: " + command);
        }
    }

    private void startListening(Connection c, JsonNode id) {
        if (c.listening && !info.matterJs()) {
            c.ws.close(); // python-matter-server asserts on a second start_listening, which ends the socket
            return;
        }
        c.listening = true;
        reply(c, id, nodeList(false));
    }

    private void commissionWithCode(Connection c, JsonNode id, JsonNode args) {
        String code = required(args, "code").asText();
        if (!code.startsWith("MT:") && !code.matches("\\d{11}|\\d{21}")) {
            throw new CommandError(1, "Commission failed: Invalid pairing code");
        }
        if (!info.matterJs() && !args.path("network_only").asBoolean(false) && !info.bluetoothEnabled()) {
            throw new CommandError(1, "Bluetooth commissioning is not available.");
        }
        commission(c, id);
    }

    /** Recorded order: node_added, then the result; about 3 s later endpoint_added and node_updated. */
    private void commission(Connection c, JsonNode id) {
        ObjectNode node = newLight();
        BigInteger nodeId = node.get("node_id").bigIntegerValue();
        addNode0(node);
        reply(c, id, node);
        if (followUp != null) {
            vertx.setTimer(Math.max(1, followUp.toMillis()), t -> {
                ObjectNode current = nodes.get(nodeId);
                if (current != null) {
                    broadcast("endpoint_added", endpoint(nodeId, 1), false);
                    current.put("last_interview", now());
                    broadcast("node_updated", current, false);
                }
            });
        }
    }

    private void setThreadDataset(Connection c, JsonNode id, JsonNode args) {
        String dataset = required(args, "dataset").asText();
        if (info.matterJs() && (dataset.length() % 2 != 0 || !dataset.matches("\\p{XDigit}*"))) {
            throw new CommandError(8, "Invalid dataset: expected an even-length hex string");
        }
        changeInfo(info.withCredentials(info.wifiCredentialsSet(), true));
        reply(c, id, emptyResult());
    }

    private void interview(Connection c, JsonNode id, JsonNode args) {
        ObjectNode node = existingNode(args);
        reply(c, id, NullNode.instance);
        node.put("last_interview", now());
        // matterjs sends the node_updated that follows an interview to every connection, listening or not.
        broadcast("node_updated", node, info.matterJs());
    }

    /** Recorded order (matterjs): the device's Leave node_event, node_removed, then the result. */
    private void remove(Connection c, JsonNode id, JsonNode args) {
        ObjectNode node = existingNode(args);
        BigInteger nodeId = node.get("node_id").bigIntegerValue();
        if (info.matterJs()) {
            // matterjs removes the fabric before forgetting the node, so the light's Leave event still arrives.
            ObjectNode leave = Wire.MAPPER.createObjectNode().put("fabricIndex", info.fabricIndex() == null ? 1 : info.fabricIndex());
            emitNodeEvent(new MatterNodeEvent(nodeId, 0, 40, 2, BigInteger.valueOf(nextEventNumber++), 1,
                    BigInteger.valueOf(System.currentTimeMillis()), 1, leave));
        }
        nodes.remove(nodeId);
        broadcast("node_removed", new BigIntegerNode(nodeId), false);
        reply(c, id, NullNode.instance);
    }

    private JsonNode readAttributes(JsonNode args) {
        ObjectNode node = readyNode(args);
        JsonNode pathArg = required(args, "attribute_path");
        List<String> patterns = new ArrayList<>();
        if (pathArg.isArray()) {
            pathArg.forEach(p -> patterns.add(p.asText()));
        } else {
            patterns.add(pathArg.asText());
        }
        ObjectNode result = Wire.MAPPER.createObjectNode();
        for (String pattern : patterns) {
            for (Map.Entry<String, JsonNode> attribute : node.get("attributes").properties()) {
                if (matches(pattern, attribute.getKey())) {
                    result.set(attribute.getKey(), attribute.getValue());
                }
            }
        }
        if (result.isEmpty() && info.matterJs()) {
            throw new CommandError(7, "No values returned");
        }
        return result;
    }

    private static boolean matches(String pattern, String path) {
        String[] want = pattern.split("/");
        String[] have = path.split("/");
        if (want.length != have.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            if (!want[i].equals("*") && !want[i].equals(have[i])) {
                return false;
            }
        }
        return true;
    }

    /** OnOff commands change the light's state as recorded: the reply first, then attribute_updated per change. */
    private void deviceCommand(Connection c, JsonNode id, JsonNode args) {
        ObjectNode node = readyNode(args);
        int endpoint = required(args, "endpoint_id").asInt();
        long cluster = required(args, "cluster_id").asLong();
        String name = required(args, "command_name").asText();
        reply(c, id, NullNode.instance);
        ObjectNode attributes = (ObjectNode) node.get("attributes");
        String onOffPath = endpoint + "/6/0";
        if (cluster != 6 || !attributes.has(onOffPath)) {
            return;
        }
        boolean was = attributes.get(onOffPath).asBoolean();
        boolean on = switch (name) {
            case "On" -> true;
            case "Off" -> false;
            case "Toggle" -> !was;
            default -> was;
        };
        if (on != was) {
            setAttribute(node, onOffPath, BooleanNode.valueOf(on));
        }
        // Turning on sets GlobalSceneControl (16384); turning off leaves it, as the recorded light did.
        String sceneControl = endpoint + "/6/16384";
        if (on && attributes.has(sceneControl) && !attributes.get(sceneControl).asBoolean()) {
            setAttribute(node, sceneControl, BooleanNode.TRUE);
        }
    }

    /**
     * Writes a concrete path: Status 0 and an attribute_updated for a known attribute, UNSUPPORTED_ATTRIBUTE (0x86)
     * for one the node does not have. Both servers answer in the CHIP spelling (PROTOCOL.md section 2.1).
     */
    private JsonNode writeAttribute(JsonNode args) {
        ObjectNode node = readyNode(args);
        String path = required(args, "attribute_path").asText();
        if (!path.matches("\\d+/\\d+/\\d+")) {
            throw new CommandError(info.matterJs() ? 0 : 8, "attribute_path must be a concrete path: " + path);
        }
        JsonNode value = args.has("value") ? args.get("value") : required(args, "value");
        String[] parts = path.split("/");
        boolean known = node.get("attributes").has(path);
        if (known && !node.get("attributes").get(path).equals(value)) {
            setAttribute(node, path, value);
        }
        ObjectNode result = Wire.MAPPER.createObjectNode();
        result.putObject("Path").put("EndpointId", Integer.parseInt(parts[0]))
                .put("ClusterId", Long.parseLong(parts[1])).put("AttributeId", Long.parseLong(parts[2]));
        result.put("Status", known ? 0 : 0x86);
        return Wire.MAPPER.createArrayNode().add(result);
    }

    private JsonNode vendorNames(JsonNode args) {
        Set<Integer> filter = new LinkedHashSet<>();
        args.path("filter_vendors").forEach(v -> filter.add(v.asInt()));
        ObjectNode result = Wire.MAPPER.createObjectNode();
        new TreeMap<>(vendorNames).forEach((vendor, name) -> {
            if (filter.isEmpty() || filter.contains(vendor)) {
                result.put(String.valueOf(vendor), name);
            }
        });
        return result;
    }

    private JsonNode diagnostics() {
        ObjectNode result = Wire.MAPPER.createObjectNode();
        result.set("info", Wire.tree(info));
        result.set("nodes", nodeList(false));
        result.set("events", Wire.MAPPER.createArrayNode().addAll(recentEvents));
        return result;
    }

    // ---- state helpers ----

    private ObjectNode newLight() {
        ObjectNode node = Transcript.virtualLight();
        String now = now();
        node.put("node_id", nextNodeId);
        node.put("date_commissioned", now);
        node.put("last_interview", now);
        return node;
    }

    private void addNode0(ObjectNode node) {
        BigInteger nodeId = node.get("node_id").bigIntegerValue();
        nodes.put(nodeId, node);
        nextNodeId = nextNodeId.max(nodeId.add(BigInteger.ONE)); // node ids are never reused
        broadcast("node_added", node, false);
    }

    private void setAttribute(ObjectNode node, String path, JsonNode value) {
        ((ObjectNode) node.get("attributes")).set(path, value);
        broadcast("attribute_updated", Wire.MAPPER.createArrayNode().add(node.get("node_id")).add(path).add(value), false);
    }

    private void emitNodeEvent(MatterNodeEvent event) {
        JsonNode data = Wire.tree(event);
        recentEvents.addLast(data);
        while (recentEvents.size() > DIAGNOSTICS_EVENTS) {
            recentEvents.removeFirst();
        }
        broadcast("node_event", data, false);
    }

    private void changeInfo(ServerInfo changed) {
        info = changed;
        // matterjs sends server_info_updated to every connection; python-matter-server only to listeners.
        broadcast("server_info_updated", Wire.tree(changed), changed.matterJs());
    }

    private ArrayNode nodeList(boolean onlyAvailable) {
        ArrayNode list = Wire.MAPPER.createArrayNode();
        nodes.values().stream().filter(n -> !onlyAvailable || n.path("available").asBoolean()).forEach(list::add);
        return list;
    }

    private ObjectNode existingNode(JsonNode args) {
        JsonNode id = required(args, "node_id");
        if (!id.isIntegralNumber()) {
            throw new CommandError(info.matterJs() ? 0 : 8, "node_id must be an integer");
        }
        return requireNode(id.bigIntegerValue());
    }

    /**
     * The node of a command that talks to the device: python-matter-server answers NodeNotReady (3) both for a node
     * that is unavailable and for one it never had (PROTOCOL.md sections 4 and "Observed"); matterjs 5 for the latter.
     */
    private ObjectNode readyNode(JsonNode args) {
        JsonNode id = required(args, "node_id");
        if (info.matterJs() || !id.isIntegralNumber()) {
            return existingNode(args);
        }
        ObjectNode node = nodes.get(id.bigIntegerValue());
        if (node == null || !node.path("available").asBoolean()) {
            throw new CommandError(3, "Node " + id + " is not (yet) available.");
        }
        return node;
    }

    private ObjectNode requireNode(BigInteger nodeId) {
        ObjectNode node = nodes.get(nodeId);
        if (node == null) {
            throw new CommandError(5, "Node " + nodeId + " does not exist");
        }
        return node;
    }

    /** A missing argument is a TypeError (code 0) on matterjs and InvalidArguments (8) on python-matter-server. */
    private JsonNode required(JsonNode args, String name) {
        JsonNode value = args.get(name);
        if (value == null || value.isNull()) {
            throw new CommandError(info.matterJs() ? 0 : 8, "Missing required argument: " + name);
        }
        return value;
    }

    private static ObjectNode endpoint(BigInteger nodeId, int endpointId) {
        ObjectNode data = Wire.MAPPER.createObjectNode();
        data.put("node_id", nodeId);
        data.put("endpoint_id", endpointId);
        return data;
    }

    /** Empty results: matterjs sends {}, python-matter-server null. */
    private JsonNode emptyResult() {
        return info.matterJs() ? Wire.MAPPER.createObjectNode() : NullNode.instance;
    }

    /** ISO-8601 without an offset: matterjs as .mmm000, python as isoformat() (no fraction when it is zero). */
    private String now() {
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
        if (info.matterJs()) {
            return MATTERJS_DATETIME.format(now);
        }
        return (now.getNano() / 1000 == 0 ? PYTHON_DATETIME_WHOLE : PYTHON_DATETIME).format(now);
    }

    // ---- frames ----

    private void reply(Connection c, JsonNode id, JsonNode result) {
        ObjectNode frame = Wire.MAPPER.createObjectNode();
        if (id != null) {
            frame.set("message_id", id); // matterjs echoes any id; JSON.stringify leaves out a missing one
        }
        frame.set("result", result == null ? NullNode.instance : result);
        send(c, frame);
    }

    private void error(Connection c, JsonNode id, int code, String details) {
        ObjectNode frame = Wire.MAPPER.createObjectNode();
        if (id != null) {
            frame.set("message_id", id);
        }
        frame.put("error_code", code);
        frame.put("details", details);
        send(c, frame);
    }

    /** Events reach only connections that sent start_listening, unless everyone is true. */
    private void broadcast(String event, JsonNode data, boolean everyone) {
        ObjectNode frame = Wire.MAPPER.createObjectNode();
        frame.put("event", event);
        frame.set("data", data);
        String text = Wire.write(frame, !info.matterJs());
        for (Connection c : List.copyOf(connections)) {
            if (everyone || c.listening) {
                sendText(c, text);
            }
        }
    }

    private void send(Connection c, JsonNode frame) {
        sendText(c, Wire.write(frame, !info.matterJs()));
    }

    private void sendText(Connection c, String text) {
        if (!c.ws.isClosed()) {
            c.ws.writeTextMessage(text);
        }
    }

    // ---- running on the context ----

    private void run(Runnable action) {
        call(() -> {
            action.run();
            return null;
        });
    }

    private <T> T call(Supplier<T> action) {
        return await(() -> Future.succeededFuture(action.get()));
    }

    private <T> T await(Supplier<Future<T>> action) {
        if (Thread.currentThread() == loop) {
            Future<T> future = action.get();
            if (!future.isComplete()) {
                throw new IllegalStateException("cannot wait for the peer on its own event loop");
            }
            if (future.failed()) {
                throw new IllegalStateException(future.cause());
            }
            return future.result();
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                action.get().onComplete(ar -> {
                    if (ar.succeeded()) {
                        done.complete(ar.result());
                    } else {
                        done.completeExceptionally(ar.cause());
                    }
                });
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return block(done);
    }

    private static <T> T block(CompletableFuture<T> future) {
        try {
            return future.get(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the peer did not finish within " + CONTROL_TIMEOUT, e);
        }
    }
}
