package io.omnii.server.testsupport;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real MQTT client that behaves as an enrolled instance would: publishes telemetry, receives commands. */
public final class FakeInstance implements AutoCloseable {

    private final MqttClient client;
    private final String instanceId;
    private final BlockingQueue<JsonObject> commands = new LinkedBlockingQueue<>();

    private FakeInstance(MqttClient client, String instanceId) {
        this.client = client;
        this.instanceId = instanceId;
    }

    /** Connects with the instance's client id and a clean session, as the guide's example does. */
    public static FakeInstance connect(Vertx vertx, int port, String instanceId) throws Exception {
        MqttClient client = MqttClient.create(vertx,
                new MqttClientOptions().setClientId("ha-" + instanceId).setCleanSession(true));
        FakeInstance instance = new FakeInstance(client, instanceId);
        client.publishHandler(m -> instance.commands.add(new JsonObject(m.payload())));
        await(client.connect(port, "127.0.0.1").toCompletionStage().toCompletableFuture());
        return instance;
    }

    public void subscribeToCommands() throws Exception {
        await(client.subscribe("server/" + instanceId + "/commands", 1).toCompletionStage().toCompletableFuture());
    }

    /** Publishes to ha-instances/{id}/{kind} at QoS 1 and waits for the broker's PUBACK. */
    public void publish(String kind, String json) throws Exception {
        publishTo("ha-instances/" + instanceId + "/" + kind, json.getBytes(StandardCharsets.UTF_8));
    }

    public void publishTo(String topic, byte[] payload) throws Exception {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        client.publishCompletionHandler(id -> acked.complete(null));
        client.publish(topic, Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false);
        await(acked);
    }

    public void heartbeat(long timestamp) throws Exception {
        publish("heartbeat", "{\"status\":\"online\",\"uptime\":120,\"timestamp\":" + timestamp + "}");
    }

    public void status(String status, String version, long timestamp) throws Exception {
        publish("status", "{\"status\":\"" + status + "\",\"version\":\"" + version + "\",\"timestamp\":" + timestamp + "}");
    }

    /** The next command received, or null after the timeout. */
    public JsonObject nextCommand(long seconds) throws InterruptedException {
        return commands.poll(seconds, TimeUnit.SECONDS);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (client.isConnected()) {
            await(client.disconnect().toCompletionStage().toCompletableFuture());
        }
    }
}
