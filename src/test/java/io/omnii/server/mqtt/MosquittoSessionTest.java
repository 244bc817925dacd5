package io.omnii.server.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.omnii.server.testsupport.MosquittoServer;
import io.omnii.server.testsupport.Ports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What Mosquitto 2.0.11 (the broker the tests and the chart run) does with a persistent MQTT 5 session, on which the
 * graceful drain and the adoption of a departed replica's session rely (docs/mqtt.md#replicas): messages already
 * queued for a session are still delivered after it unsubscribes; a DISCONNECT with session expiry 0 ends the session;
 * a second connection under the same client id takes the session over and the broker closes the first without a
 * DISCONNECT.
 */
class MosquittoSessionTest {

    private static final String GROUP_FILTER = "$share/omnii/drain-test/+";
    private static MosquittoServer broker;

    @BeforeAll
    static void broker() throws Exception {
        Path dir = Path.of("target", "test-services", "mosquitto-session");
        Files.deleteIfExists(dir.resolve("mosquitto.db"));
        broker = MosquittoServer.start(dir, Ports.free());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void messagesQueuedForASessionAreStillDeliveredAfterItUnsubscribes() throws Exception {
        // The session takes its subscription, then leaves (DISCONNECT, session kept): what follows queues for it.
        Mqtt5BlockingClient first = client("queued").buildBlocking();
        first.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        first.subscribeWith().topicFilter(GROUP_FILTER).qos(MqttQos.AT_LEAST_ONCE).send();
        first.disconnect();
        publish("drain-test/a", 50);

        // Back under the same id, reading one message at a time (receive maximum 1, acknowledged by hand): the
        // broker holds the rest in the session's queue while we unsubscribe.
        List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
        Mqtt5AsyncClient back = client("queued").automaticReconnectWithDefaultConfig().buildAsync();
        back.publishes(MqttGlobalPublishFilter.ALL, received::add, true);
        Mqtt5ConnAck ack = back.connectWith().cleanStart(false).sessionExpiryInterval(60).restrictions()
                .receiveMaximum(1).applyRestrictions().send().get(10, TimeUnit.SECONDS);
        assertThat(ack.isSessionPresent()).isTrue();
        back.unsubscribeWith().topicFilter(GROUP_FILTER).send().get(10, TimeUnit.SECONDS);
        publish("drain-test/b", 5); // after the unsubscribe: not ours any more

        for (int i = 0; i < 50; i++) {
            int n = i;
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> received.size() > n);
            received.get(i).acknowledge();
        }
        Thread.sleep(500);
        assertThat(received).hasSize(50).extracting(p -> p.getTopic().toString()).containsOnly("drain-test/a");
        back.disconnect().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDisconnectWithSessionExpiryZeroEndsTheSession() throws Exception {
        Mqtt5BlockingClient first = client("ended").buildBlocking();
        first.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
        first.subscribeWith().topicFilter(GROUP_FILTER).qos(MqttQos.AT_LEAST_ONCE).send();
        first.disconnectWith().sessionExpiryInterval(0).send();
        publish("drain-test/c", 3);

        Mqtt5BlockingClient again = client("ended").buildBlocking();
        assertThat(again.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent())
                .as("the session outlived a DISCONNECT with session expiry 0").isFalse();
        again.disconnectWith().sessionExpiryInterval(0).send();
    }

    @Test
    void aSecondConnectionUnderTheSameIdTakesTheSessionOver() throws Exception {
        CompletableFuture<String> why = new CompletableFuture<>();
        Mqtt5AsyncClient adopter = client("taken").addDisconnectedListener(c -> why.complete(c.getSource() + " "
                + (c.getCause() instanceof Mqtt5DisconnectException d ? d.getMqttMessage().getReasonCode()
                : c.getCause().getClass().getSimpleName() + ": " + c.getCause().getMessage()))).buildAsync();
        adopter.connectWith().cleanStart(false).sessionExpiryInterval(60).send().get(10, TimeUnit.SECONDS);

        Mqtt5BlockingClient owner = client("taken").buildBlocking();
        assertThat(owner.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent()).isTrue();
        // Mosquitto 2.0.11 says no SESSION_TAKEN_OVER: it closes the first connection without a DISCONNECT, which looks
        // like any lost connection. So an adopter that loses its connection stops for good (SessionAdoption).
        assertThat(why.get(10, TimeUnit.SECONDS))
                .isEqualTo("SERVER ConnectionClosedException: Server closed connection without DISCONNECT.");
        owner.disconnectWith().sessionExpiryInterval(0).send();
    }

    private static com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder client(String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1").serverPort(broker.port());
    }

    /** Publishes count messages at QoS 1, each in the broker's hands when this returns. */
    private static void publish(String topic, int count) {
        Mqtt5BlockingClient fleet = client("fleet-" + topic.replace('/', '-')).buildBlocking();
        fleet.connect();
        IntStream.range(0, count).forEach(i -> fleet.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send());
        fleet.disconnect();
    }
}
