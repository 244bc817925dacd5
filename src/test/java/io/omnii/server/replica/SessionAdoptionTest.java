package io.omnii.server.replica;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.common.Threads;
import io.omnii.server.mqtt.MqttConfig;
import io.omnii.server.mqtt.Topics;
import io.omnii.server.telemetry.TelemetryIngestTest;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
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
    Replicas replicas;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    @Inject
    AgroalDataSource dataSource;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    @Test
    void aDepartedReplicasSessionIsDrainedIntoTheDatabaseOnceAndEnded() throws Exception {
        String id = Api.enrollInstance("Adopted");
        String departed = "departed-" + UUID.randomUUID().toString().substring(0, 8);
        UUID incarnation = departedMember(departed);
        publishMetrics(id);
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
    void aReplicaBackWhileItsSessionIsAdoptedTakesItOverAndTheAdopterStopsQuietly() throws Exception {
        String id = Api.enrollInstance("Returning");
        String departed = "returning-" + UUID.randomUUID().toString().substring(0, 8);
        UUID incarnation = departedMember(departed);
        publishMetrics(id);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> samples(id) == MESSAGES / 2);
        double receivedBefore = receivedMetrics();

        try (Connection blocker = dataSource.getConnection()) {
            // Hold the instance's row: the writer takes the adopted messages and waits, acknowledging none.
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("SELECT 1 FROM instance WHERE id = '" + id + "' FOR UPDATE");
            CompletableFuture<Integer> adopting = CompletableFuture.supplyAsync(adoption::adoptDeparted);
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> receivedMetrics() - receivedBefore == MESSAGES / 2);

            // The owner is back: it takes its session over, and gets what the adopter had not acknowledged.
            List<Mqtt5Publish> redelivered = new CopyOnWriteArrayList<>();
            AtomicBoolean ownerLost = new AtomicBoolean();
            Mqtt5AsyncClient owner = MqttClient.builder().useMqttVersion5().identifier(departed)
                    .serverHost("127.0.0.1").serverPort(mqttPort)
                    .addDisconnectedListener(c -> ownerLost.set(true)).buildAsync();
            owner.publishes(MqttGlobalPublishFilter.ALL, p -> {
                redelivered.add(p);
                p.acknowledge();
            }, true);
            owner.connectWith().cleanStart(false).sessionExpiryInterval(600).send().get(10, TimeUnit.SECONDS);

            assertThat(adopting.get(10, TimeUnit.SECONDS)).as("sessions the adopter ended").isZero();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> redelivered.size() == MESSAGES / 2);
            blocker.rollback();
            Thread.sleep(2000);
            assertThat(ownerLost).as("the adopter came back and took the session again").isFalse();
            assertThat(db.count("SELECT count(*) FROM replica WHERE incarnation = '" + incarnation + "'"))
                    .as("the row is the owner's to replace, not the adopter's to forget").isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM lease WHERE name = 'mqtt-session:" + departed + "'"))
                    .as("the adopter keeps the identity's lease until it runs out: no second try meanwhile")
                    .isEqualTo(1);
            // The adopter's writes commit once the lock is gone; the owner writing the same messages again would
            // change nothing (metrics_sample is keyed by instance and timestamp).
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> samples(id) == MESSAGES);
            owner.disconnectWith().sessionExpiryInterval(0).send().get(10, TimeUnit.SECONDS);
        } finally {
            db.execute("DELETE FROM replica WHERE incarnation = '" + incarnation + "'");
            db.execute("DELETE FROM lease WHERE name = 'mqtt-session:" + departed + "'");
        }
    }

    @Test
    void aDepartedReplicaWhoseSessionExpiredIsForgotten() {
        UUID incarnation = expiredDeparted();

        assertThat(adoption.adoptDeparted()).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM replica WHERE incarnation = '" + incarnation + "'")).isZero();
    }

    @Test
    void adoptionsOneAfterTheOtherRunOnOneIoThread() throws Exception {
        Set<Thread> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            UUID incarnation = expiredDeparted();
            assertThat(adoption.adoptDeparted()).isEqualTo(1);
            Thread.sleep(500); // an executor shut down with its adoption would have ended its thread by now
            Set<Thread> adopting = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals(Threads.Name.MQTT_ADOPTED.threadName()))
                    .collect(Collectors.toSet());
            assertThat(adopting).as("adoption %d's I/O thread, kept for the next", i).hasSize(1);
            seen.addAll(adopting);
            assertThat(db.count("SELECT count(*) FROM replica WHERE incarnation = '" + incarnation + "'")).isZero();
        }
        assertThat(seen).as("one thread for every adoption: no executor made per adoption").hasSize(1);
    }

    @Test
    void aReplicaThatRenewedItsRowBetweenTheLookAndTheConnectIsNotAdopted() throws Exception {
        String late = "late-" + UUID.randomUUID().toString().substring(0, 8);
        AtomicBoolean kicked = new AtomicBoolean();
        Mqtt5AsyncClient alive = MqttClient.builder().useMqttVersion5().identifier(late).serverHost("127.0.0.1")
                .serverPort(mqttPort).addDisconnectedListener(c -> kicked.set(true)).buildAsync();
        alive.connectWith().cleanStart(false).sessionExpiryInterval(600).send().get(10, TimeUnit.SECONDS);
        UUID incarnation = UUID.randomUUID();
        db.execute("INSERT INTO replica (incarnation, client_id, started_at, seen_at) VALUES ('" + incarnation
                + "', '" + late + "', clock_timestamp() - interval '1 hour', clock_timestamp() - interval '1 minute')");
        try {
            Replicas.Departed looked = replicas.departed().stream()
                    .filter(d -> d.incarnation().equals(incarnation)).findFirst().orElseThrow();
            // Its heartbeat, late under load, lands after the look.
            db.execute("UPDATE replica SET seen_at = clock_timestamp() WHERE incarnation = '" + incarnation + "'");

            assertThat(adoption.adoptIfStillDeparted(looked)).isFalse();
            Thread.sleep(500);
            assertThat(kicked).as("the live replica's connection taken over by an adopter").isFalse();
            assertThat(db.count("SELECT count(*) FROM replica WHERE incarnation = '" + incarnation + "'"))
                    .isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM lease WHERE name = 'mqtt-session:" + late + "'"))
                    .as("the identity's lease, given back").isZero();
        } finally {
            alive.disconnectWith().sessionExpiryInterval(0).send();
            db.execute("DELETE FROM replica WHERE incarnation = '" + incarnation + "'");
            db.execute("DELETE FROM lease WHERE name = 'mqtt-session:" + late + "'");
        }
    }

    @Test
    void anIdentityThatFailsDoesNotKeepTheOthersFromBeingAdopted() {
        // The oldest departed identity, whose lease the database refuses; a good one after it.
        UUID bad = UUID.randomUUID();
        db.execute("INSERT INTO replica (incarnation, client_id, started_at, seen_at) VALUES ('" + bad
                + "', 'refused-" + bad + "', clock_timestamp() - interval '5 hours', "
                + "clock_timestamp() - interval '4 hours')");
        UUID good = expiredDeparted();
        db.execute("""
                CREATE FUNCTION refuse_lease_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.name = 'mqtt-session:refused-%s' THEN RAISE EXCEPTION 'lease refused by the test'; END IF;
                  RETURN NEW;
                END $$""".formatted(bad));
        db.execute("CREATE TRIGGER refuse_lease_for_test BEFORE INSERT ON lease FOR EACH ROW "
                + "EXECUTE FUNCTION refuse_lease_for_test()");
        try {
            assertThat(adoption.adoptDeparted()).as("sessions ended").isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM replica WHERE incarnation = '" + good + "'")).isZero();
            assertThat(db.count("SELECT count(*) FROM replica WHERE incarnation = '" + bad + "'")).isEqualTo(1);
        } finally {
            db.execute("DROP TRIGGER refuse_lease_for_test ON lease");
            db.execute("DROP FUNCTION refuse_lease_for_test()");
            db.execute("DELETE FROM replica WHERE incarnation IN ('" + bad + "', '" + good + "')");
        }
    }

    /** A departed replica whose session expired long ago: adopting it connects, finds no session and forgets it. */
    private UUID expiredDeparted() {
        UUID incarnation = UUID.randomUUID();
        db.execute("INSERT INTO replica (incarnation, client_id, started_at, seen_at) VALUES ('" + incarnation
                + "', 'expired-" + incarnation + "', clock_timestamp() - interval '3 hours', "
                + "clock_timestamp() - interval '2 hours')");
        return incarnation;
    }

    /** A replica that joined the group, then left for good (its row stale): the broker keeps its session. */
    private UUID departedMember(String clientId) {
        Mqtt5BlockingClient member = client(clientId);
        member.connectWith().cleanStart(false).sessionExpiryInterval(600).send();
        for (String filter : Topics.TELEMETRY_FILTERS) {
            member.subscribeWith().topicFilter(Topics.shared(mqtt.sharedGroup(), filter)).qos(MqttQos.AT_LEAST_ONCE)
                    .send();
        }
        member.disconnect();
        UUID incarnation = UUID.randomUUID();
        db.execute("INSERT INTO replica (incarnation, client_id, started_at, seen_at) VALUES ('" + incarnation
                + "', '" + clientId + "', clock_timestamp() - interval '1 hour', clock_timestamp() - interval '1 minute')");
        return incarnation;
    }

    /** MESSAGES metrics reports at distinct timestamps: the group alternates, so half wait in the departed session. */
    private void publishMetrics(String id) throws Exception {
        long now = System.currentTimeMillis();
        try (FakeInstance instance = FakeInstance.connect(vertx, mqttPort, id)) {
            for (int i = 0; i < MESSAGES; i++) {
                instance.publish("metrics", TelemetryIngestTest.metrics(now - i * 1000L, 0.9, "\"n\": " + i));
            }
        }
    }

    private double receivedMetrics() {
        return registry.get("omnii.mqtt.messages.received").tag("kind", "metrics").counter().count();
    }

    private long samples(String instanceId) {
        return db.count("SELECT count(*) FROM metrics_sample WHERE instance_id = '" + instanceId + "'");
    }

    private Mqtt5BlockingClient client(String clientId) {
        return MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1").serverPort(mqttPort)
                .buildBlocking();
    }
}
