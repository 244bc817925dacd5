package io.omnii.server.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omnii.server.mqtt.BrokerTransport;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.auth.Mqtt3SimpleAuth;
import java.nio.charset.StandardCharsets;

/**
 * Mosquitto's dynamic-security control API: JSON commands published to $CONTROL/dynamic-security/v1, answers on
 * .../response matched by correlationData (every admin connection sees every answer). A connection of its own,
 * with the admin account, opened on first use; the ingest connection never holds admin rights.
 */
@Singleton
public class DynsecClient {

    static final String CONTROL_TOPIC = "$CONTROL/dynamic-security/v1";
    static final String RESPONSE_TOPIC = CONTROL_TOPIC + "/response";

    /** The plugin refused a command; {@code error} is its text, e.g. "Client not found". */
    public static class DynsecException extends RuntimeException {

        public DynsecException(String message) {
            super(message, null, false, false);
        }
    }

    private final ProvisioningConfig config;
    private final BrokerTransport transport;
    private final ObjectMapper mapper;
    private Link link;

    /**
     * One admin connection and the answers awaited on it. Per connection, so that the loss of an old one (its listener
     * may run late) fails only what was sent on it, never a request already sent on its successor.
     */
    private record Link(Mqtt3AsyncClient mqtt, Map<String, CompletableFuture<JsonNode>> pending) {
    }

    DynsecClient(ProvisioningConfig config, BrokerTransport transport, ObjectMapper mapper) {
        this.config = config;
        this.transport = transport;
        this.mapper = mapper;
    }

    void stop(@Observes ShutdownEvent event) {
        Link l;
        synchronized (this) {
            l = link;
            link = null;
        }
        disconnect(l);
    }

    /** A command object for {@link #execute}: {"command": name, ...fields}. */
    public ObjectNode command(String name) {
        return mapper.createObjectNode().put("command", name);
    }

    /** Runs one command; its response's data (or an empty object). Throws DynsecException when refused. */
    public JsonNode execute(ObjectNode command) {
        return executeAll(List.of(command)).get(0);
    }

    /**
     * Runs commands in one message, in order; returns each one's data. The first refusal throws, after all ran
     * (the plugin does not stop at a failure).
     */
    public List<JsonNode> executeAll(List<ObjectNode> commands) {
        Link l = connected();
        List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
        ObjectNode message = mapper.createObjectNode();
        ArrayNode list = message.putArray("commands");
        for (ObjectNode command : commands) {
            String correlation = UUID.randomUUID().toString();
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            l.pending().put(correlation, answer);
            answers.add(answer);
            list.add(command.deepCopy().put("correlationData", correlation));
        }
        try {
            l.mqtt().publishWith().topic(CONTROL_TOPIC).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(mapper.writeValueAsBytes(message)).send();
            List<JsonNode> results = new ArrayList<>();
            DynsecException refused = null;
            for (int i = 0; i < answers.size(); i++) {
                JsonNode response = answers.get(i).get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
                if (response.hasNonNull("error") && refused == null) {
                    refused = new DynsecException(commands.get(i).path("command").asText() + ": "
                            + response.path("error").asText());
                }
                results.add(response.path("data"));
            }
            if (refused != null) {
                throw refused;
            }
            return results;
        } catch (TimeoutException e) {
            throw new IllegalStateException("the broker's dynamic-security plugin did not answer within "
                    + config.requestTimeout().toSeconds() + " s (is the plugin loaded?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (ExecutionException | java.io.IOException e) {
            throw new IllegalStateException("the broker's control API failed: " + e.getMessage(), e);
        } finally {
            message.path("commands").forEach(c -> l.pending().remove(c.path("correlationData").asText()));
        }
    }

    private synchronized Link connected() {
        if (link != null && link.mqtt().getState().isConnected()) {
            return link;
        }
        // Never the old client again: its clean session ended with its connection, and with the session the client
        // drops its publishes() callback, so the responses to a reconnected one would reach nobody.
        disconnect(link);
        link = null;
        String username = config.adminUsername().orElseThrow(() -> new IllegalStateException(
                "omnii.mqtt.provisioning.admin-username is required in mosquitto-dynsec mode"));
        String password = config.adminPassword().orElseThrow(() -> new IllegalStateException(
                "omnii.mqtt.provisioning.admin-password is required in mosquitto-dynsec mode"));
        Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        Mqtt3AsyncClient client = transport.clientBuilder("omnii-provisioning-" + UUID.randomUUID())
                .simpleAuth(Mqtt3SimpleAuth.builder().username(username)
                        .password(password.getBytes(StandardCharsets.UTF_8)).build())
                .addDisconnectedListener(context -> pending.values().forEach(p -> p.completeExceptionally(
                        new IllegalStateException("lost the broker: " + context.getCause().getMessage()))))
                .buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, publish -> onResponses(pending, publish.getPayloadAsBytes()));
        long timeout = config.requestTimeout().toMillis();
        try {
            client.connectWith().cleanSession(true).send().get(timeout, TimeUnit.MILLISECONDS);
            client.subscribeWith().topicFilter(RESPONSE_TOPIC).qos(MqttQos.AT_LEAST_ONCE).send()
                    .get(timeout, TimeUnit.MILLISECONDS);
            link = new Link(client, pending);
            return link;
        } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // Half set up (connected without the response subscription, or a connect still pending): start afresh.
            client.disconnect();
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("the broker's control API failed: " + (e instanceof TimeoutException
                    ? "no connection within " + config.requestTimeout().toSeconds() + " s" : cause.getMessage()), e);
        }
    }

    /** Disconnects without waiting; a client not connected (or already gone) has nothing to undo. */
    private static void disconnect(Link l) {
        if (l != null) {
            l.mqtt().disconnect();
        }
    }

    private void onResponses(Map<String, CompletableFuture<JsonNode>> pending, byte[] payload) {
        try {
            for (JsonNode response : mapper.readTree(payload).path("responses")) {
                CompletableFuture<JsonNode> answer = pending.get(response.path("correlationData").asText());
                if (answer != null) {
                    answer.complete(response);
                }
            }
        } catch (java.io.IOException e) {
            Log.warnf("Ignored an unreadable dynamic-security response");
        }
    }
}
