package io.omnii.server.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnii.server.matter.peer.MatterServerPeer;
import io.omnii.server.matter.peer.Wire;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.math.BigInteger;
import java.net.URI;
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
 * machine's noise falls on both alike; GET /matter/server, which relays nothing, is the HTTP stack's share. Both
 * ways use one Vert.x client on one event loop (a kept-alive HTTP/1.1 connection, one WebSocket), so that the
 * difference is the server's, not the clients' (the JDK's HttpClient alone adds a few tenths of a millisecond).
 */
final class MatterRelayBench implements AutoCloseable {

    /** Latencies in milliseconds, one list per way of asking, in the order they were taken. */
    record Times(List<Double> direct, List<Double> relayed, List<Double> serverView) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final String token;
    private final BigInteger node;
    private final WebSocket direct;

    /** Connects straight to the peer, as our client does (one Vert.x WebSocket, text frames). */
    MatterRelayBench(MatterServerPeer peer, BigInteger node, String apiUrl, String token) throws Exception {
        this.token = token;
        this.node = node;
        URI api = URI.create(apiUrl);
        http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(api.getHost())
                .setDefaultPort(api.getPort()).setKeepAlive(true).setMaxPoolSize(1));
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
            Answer server = send(HttpMethod.GET, "/matter/server");
            if (server.body().contains("\"connected\":true")
                    && send(HttpMethod.GET, "/matter/nodes/" + node).status() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the server did not connect to the Matter Server peer in " + timeout);
    }

    /** {@code warmUp} uncounted rounds, then {@code rounds} counted ones; each round asks all three ways once. */
    Times measure(int warmUp, int rounds) throws Exception {
        Times times = new Times(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        String ping = "/matter/nodes/" + node + "/ping";
        for (int i = 0; i < warmUp + rounds; i++) {
            double d = directPing();
            double r = timed(HttpMethod.POST, ping);
            double v = timed(HttpMethod.GET, "/matter/server");
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

    private record Answer(int status, String body) {
    }

    private double timed(HttpMethod method, String path) throws Exception {
        long start = System.nanoTime();
        Answer answer = send(method, path);
        double ms = (System.nanoTime() - start) / 1e6;
        if (answer.status() != 200) {
            throw new IllegalStateException(method + " " + path + " answered " + answer.status() + ": "
                    + answer.body());
        }
        return ms;
    }

    private Answer send(HttpMethod method, String path) throws Exception {
        RequestOptions request = new RequestOptions().setMethod(method).setURI(path)
                .putHeader("Authorization", "Bearer " + token);
        return http.request(request)
                .compose(r -> r.send().compose(response -> response.body()
                        .map(body -> new Answer(response.statusCode(), body.toString()))))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
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
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
