package io.omnii.server.replica;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.mqtt.MqttConfig;
import io.omnii.server.mqtt.Topics;
import io.omnii.server.telemetry.TelemetryIngestTest;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A departed replica's MQTT session, adopted by this (the test's) server: a second member of the shared group under
 * its own client id takes its turn of the metrics, leaves without coming back and is listed as departed; what the
 * broker queued for it reaches the database only through the adoption.
 */
@QuarkusTest
class SessionAdoptionTest extends ServerTest {

    private static final int MESSAGES = 40;

    @Inject
    SessionAdoption adoption;

    @Inject
    MqttConfig mqtt;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    @Test
    void aDepartedReplicasSessionIsDrainedIntoTheDatabaseOnceAndEnded() throws Exception {
        String id = Api.enrollInstance("Adopted");
        String departed = "departed-" + UUID.randomUUID().toString().substring(0, 8);
        // The departed replica: it joined the group, then left for good; the broker keeps its session.
        Mqtt5BlockingClient member = client(departed);
        member.connectWith().cleanStart(false).sessionExpiryInterval(600).send();
        for (String filter : Topics.TELEMETRY_FILTERS) {
            member.subscribeWith().topicFilter(Topics.shared(mqtt.sharedGroup(), filter)).qos(MqttQos.AT_LEAST_ONCE)
                    .send();
        }
        member.disconnect();
        UUID incarnation = UUID.randomUUID();
        db.execute("INSERT INTO replica (incarnation, client_id, started_at, seen_at) VALUES ('" + incarnation
                + "', '" + departed + "', clock_timestamp() - interval '1 hour', clock_timestamp() - interval '1 minute')");

        long now = System.currentTimeMillis();
        try (FakeInstance instance = FakeInstance.connect(vertx, mqttPort, id)) {
            for (int i = 0; i < MESSAGES; i++) {
                instance.publish("metrics", TelemetryIngestTest.metrics(now - i * 1000L, 0.9, "\"n\": " + i));
            }
        }
        // The group alternates: half is ours, half waits in the departed session.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> samples(id) == MESSAGES / 2);
        Thread.sleep(300);
        assertThat(samples(id)).as("stranded before the adoption").isEqualTo(MESSAGES / 2);
        double adoptedBefore = registry.counter("omnii.mqtt.sessions.adopted").count();
        double drainedBefore = registry.counter("omnii.mqtt.adopted.messages").count();

        assertThat(adoption.adoptDeparted()).isEqualTo(1);

        assertThat(samples(id)).as("every message committed once").isEqualTo(MESSAGES);
        assertThat(registry.counter("omnii.mqtt.sessions.adopted").count() - adoptedBefore).isEqualTo(1);
        assertThat(registry.counter("omnii.mqtt.adopted.messages").count() - drainedBefore).isEqualTo(MESSAGES / 2);
        assertThat(db.count("SELECT count(*) FROM replica WHERE incarnation = '" + incarnation + "'"))
                .as("the departed row is forgotten").isZero();
        Mqtt5BlockingClient again = client(departed);
        assertThat(again.connectWith().cleanStart(false).sessionExpiryInterval(600).send().isSessionPresent())
                .as("the departed session was ended").isFalse();
        again.disconnectWith().sessionExpiryInterval(0).send();
    }

    @Test
    void aDepartedReplicaWhoseSessionExpiredIsForgotten() {
        UUID incarnation = UUID.randomUUID();
        db.execute("INSERT INTO replica (incarnation, client_id, started_at, seen_at) VALUES ('" + incarnation
                + "', 'expired-" + incarnation + "', clock_timestamp() - interval '3 hours', "
                + "clock_timestamp() - interval '2 hours')");

        assertThat(adoption.adoptDeparted()).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM replica WHERE incarnation = '" + incarnation + "'")).isZero();
    }

    private long samples(String instanceId) {
        return db.count("SELECT count(*) FROM metrics_sample WHERE instance_id = '" + instanceId + "'");
    }

    private Mqtt5BlockingClient client(String clientId) {
        return MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1").serverPort(mqttPort)
                .buildBlocking();
    }
}
