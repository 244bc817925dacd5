package io.omnii.server.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnii.server.matter.peer.MatterServerPeer;
import io.omnii.server.matter.peer.Wire;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Matter relay's own cost (docs/performance.md): the same ping_node asked of the test peer directly over one
 * WebSocket, and through the server (POST /matter/nodes/{id}/ping), one at a time and interleaved so that the
 * machine's noise falls on both alike; GET /matter/server, which relays nothing, is the HTTP stack's share.
 */
final class MatterRelayBench implements AutoCloseable {

    /** Latencies in milliseconds, one list per way of asking, in the order they were taken. */
    record Times(List<Double> direct, List<Double> relayed, List<Double> serverView) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final String apiUrl;
    private final String token;
    private final BigInteger node;
    private final WebSocket direct;

    /** Connects straight to the peer, as our client does (one Vert.x WebSocket, text frames). */
    MatterRelayBench(MatterServerPeer peer, BigInteger node, String apiUrl, String token) throws Exception {
        this.apiUrl = apiUrl;
        this.token = token;
        this.node = node;
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxFrameSize(256 * 1024 * 1024).setMaxMessageSize(256 * 1024 * 1024));
        URI uri = URI.create(peer.url());
        direct = client.connect(new WebSocketConnectOptions().setHost(uri.getHost()).setPort(uri.getPort())
                .setURI(uri.getPath())).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        direct.textMessageHandler(text -> {
            JsonNode message = parse(text);
            CompletableFuture<JsonNode> reply = pending.remove(message.path("message_id").asText());
            if (reply != null) {
                reply.complete(message);
            }
        });
    }

    /** Waits until the server is listening to the peer and knows the node. */
    void awaitRelay(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> server = send(get("/matter/server"));
            if (server.body().contains("\"connected\":true")
                    && send(get("/matter/nodes/" + node)).statusCode() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the server did not connect to the Matter Server peer in " + timeout);
    }

    /** {@code warmUp} uncounted rounds, then {@code rounds} counted ones; each round asks all three ways once. */
    Times measure(int warmUp, int rounds) throws Exception {
        Times times = new Times(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        HttpRequest ping = HttpRequest.newBuilder(URI.create(apiUrl + "/matter/nodes/" + node + "/ping"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpRequest view = get("/matter/server");
        for (int i = 0; i < warmUp + rounds; i++) {
            double d = directPing();
            double r = timed(ping);
            double v = timed(view);
            if (i >= warmUp) {
                times.direct().add(d);
                times.relayed().add(r);
                times.serverView().add(v);
            }
        }
        return times;
    }

    private double directPing() throws Exception {
        String id = "bench-" + ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        String frame = "{\"message_id\":\"" + id + "\",\"command\":\"ping_node\",\"args\":{\"node_id\":" + node + "}}";
        long start = System.nanoTime();
        direct.writeTextMessage(frame);
        JsonNode answer = reply.get(10, TimeUnit.SECONDS);
        double ms = (System.nanoTime() - start) / 1e6;
        if (!answer.has("result")) {
            throw new IllegalStateException("the peer answered the direct ping with " + answer);
        }
        return ms;
    }

    private double timed(HttpRequest request) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = send(request);
        double ms = (System.nanoTime() - start) / 1e6;
        if (response.statusCode() != 200) {
            throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return ms;
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create(apiUrl + path)).header("Authorization", "Bearer " + token).build();
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode parse(String text) {
        try {
            return Wire.parse(text);
        } catch (Exception e) {
            throw new IllegalStateException("the peer sent a frame that is not JSON", e);
        }
    }

    @Override
    public void close() throws Exception {
        direct.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
