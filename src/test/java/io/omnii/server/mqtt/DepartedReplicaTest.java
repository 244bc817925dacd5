package io.omnii.server.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.omnii.server.common.Threads;
import io.omnii.server.testsupport.LocalServicesResource;
import io.quarkus.logging.Log;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two server replicas in one shared-subscription group on the harness's Mosquitto, one of which goes the way a killed
 * pod or a lost node does: its TCP connection cut, no DISCONNECT. Both are the server's own {@link BrokerConnection}
 * with the running server's settings, each under its own client id. Mosquitto hands a shared subscription's messages
 * to its members in turn, absent ones included (queued in their sessions), so every count below is exact.
 */
@QuarkusTest
class DepartedReplicaTest {

    /** The departed replica's session expiry: short, so that the test sees it pass. */
    private static final Duration WINDOW = Duration.ofSeconds(3);
    /** Probes in a row that reach the remaining replica: with two members taking turns, the other one is gone. */
    private static final int ALONE_AFTER = 3;

    @Inject
    MqttConfig config;

    @Inject
    TlsConfigurationRegistry tls;

    @Inject
    Vertx vertx;

    @Inject
    Threads threads;

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private String run;
    private String topic;
    private Mqtt5BlockingClient publisher;

    @BeforeEach
    void fleet() {
        run = UUID.randomUUID().toString().substring(0, 8);
        topic = "omnii-test/departure/" + run;
        publisher = MqttClient.builder().useMqttVersion5().identifier("fleet-" + run).serverHost("127.0.0.1")
                .serverPort(brokerPort()).buildBlocking();
        publisher.connect();
        opened.push(publisher::disconnect);
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }

    @Test
    void aReplicaGoneWithoutAWordStopsTakingItsShareOnceItsSessionExpires() throws Exception {
        SeverableLink link = open(SeverableLink.to(brokerPort()));
        Replica remaining = open(new Replica("remaining-" + run, brokerPort(), Duration.ofHours(1)));
        Replica departed = open(new Replica("departed-" + run, link.port(), WINDOW));
        warmUp(remaining, departed);

        link.sever();
        long cut = System.nanoTime();
        Map<String, Long> sentAt = new LinkedHashMap<>(); // what was published after the cut, ms after it
        for (String text : publishAll("window-", 20)) {
            sentAt.put(text, millisSince(cut));
        }
        // One probe at a time until the remaining replica gets several in a row: the departed session is gone.
        int alone = 0;
        for (int i = 0; alone < ALONE_AFTER; i++) {
            // Generous: probes that wait 500 ms each on a loaded 2-core machine take their time.
            assertThat(millisSince(cut)).as("the departed session outlived its window by far")
                    .isLessThan(WINDOW.plusSeconds(30).toMillis());
            String probe = "probe-" + i;
            publish(probe);
            sentAt.put(probe, millisSince(cut));
            alone = arrives(remaining, probe, Duration.ofMillis(500)) ? alone + 1 : 0;
        }
        List<String> after = publishAll("after-", 100);

        awaitAll(remaining, after);
        assertThat(after).allMatch(remaining.received::contains);
        // Delivery is in order, so nothing published before "after-0" can still reach the remaining replica.
        List<String> stranded = sentAt.keySet().stream().filter(t -> !remaining.received.contains(t)).toList();
        long lastStranded = stranded.stream().mapToLong(sentAt::get).max().orElse(-1);
        Log.infof("Departed replica: %d of %d messages published in the %d ms after the cut were queued for its "
                + "session, the last at %d ms; all %d published after that reached the remaining replica",
                stranded.size(), sentAt.size(), sentAt.values().stream().mapToLong(Long::longValue).max().orElse(0),
                lastStranded, after.size());
        assertThat(stranded).as("the departed session took its share while it lasted").isNotEmpty();
        // Half the window, not all of it: a busy CI machine may stall the probes for a second near its end.
        assertThat(lastStranded).as("the broker kept the departed session for its window")
                .isGreaterThanOrEqualTo(WINDOW.dividedBy(2).toMillis());

        // And dropped what it had queued: the same identity connecting now is handed none of it.
        Replica returned = open(new Replica("departed-" + run, brokerPort(), WINDOW));
        String marker = awaitArrival(returned, "marker-");
        assertThat(returned.received).as("queued for a session that expired").doesNotContainAnyElementsOf(stranded)
                .contains(marker);
    }

    @Test
    void aReplicaBackUnderItsIdentityWithinTheWindowGetsWhatWasQueuedForIt() throws Exception {
        SeverableLink link = open(SeverableLink.to(brokerPort()));
        assertBackWithinTheWindowLosesNothing("restarted-", link.port(), departed -> {
            link.sever();
            departed.connection.leave(); // the process is gone, with no drain; its successor is a new one, same id
        });
    }

    @Test
    void aReplicaStoppedGracefullyLeavesTheGroupSoNothingIsQueuedForItWhileAway() throws Exception {
        // A rolling update or a drain: the server's own stop, which unsubscribes, drains, then says DISCONNECT.
        // (Before the drain, half of what was published while it was away was queued for its session.)
        Replica remaining = open(new Replica("remaining-" + run, brokerPort(), Duration.ofHours(1)));
        Replica stopped = open(new Replica("stopped-" + run, brokerPort(), Duration.ofMinutes(1)));
        warmUp(remaining, stopped);

        stopped.close();
        List<String> away = publishAll("away-", 100);
        awaitAll(remaining, away);
        assertThat(away).as("published while the stopped replica was away").allMatch(remaining.received::contains);
    }

    @Test
    void aGracefulStopAcknowledgesWhatItReceivedAndLeavesTheRestToTheGroup() throws Exception {
        Replica remaining = open(new Replica("remaining-" + run, brokerPort(), Duration.ofHours(1)));
        // Acknowledges each message 5 ms after it arrived, one at a time, as the writer does after its commit.
        Replica stopping = open(new Replica("stopping-" + run, brokerPort(), Duration.ofMinutes(1), 5));
        warmUp(remaining, stopping);

        Thread publishing = new Thread(() -> publishAll("stream-", 400));
        publishing.start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stopping.received.size() > 60);
        long start = System.nanoTime();
        stopping.close(); // while the stream goes on and its acknowledgements lag behind
        long stopMillis = millisSince(start);
        publishing.join();
        List<String> stream = IntStream.range(0, 400).mapToObj(i -> "stream-" + i).toList();
        awaitAll(remaining, stream.stream().filter(t -> !stopping.acked.contains(t)).toList());

        long mine = stream.stream().filter(stopping.acked::contains).count();
        Log.infof("Graceful stop: %d of %d messages acknowledged by the stopping replica, in a stop of %d ms; the "
                + "remaining one got %d", mine, stream.size(), stopMillis,
                stream.stream().filter(remaining.received::contains).count());
        assertThat(mine).as("the stopping replica had its share").isPositive();
        assertThat(stopping.received).as("received by the stopping replica but not acknowledged")
                .allMatch(t -> t.startsWith("warm-") || stopping.acked.contains(t));
        assertThat(stream).as("each message acknowledged by exactly one replica")
                .allMatch(t -> stopping.acked.contains(t) != remaining.received.contains(t));
        assertThat(stopping.connection.drainedCleanly()).as("the drain ended quiet").isTrue();
    }

    @Test
    void aDrainCutByItsTimeoutReportsThatItDidNotDrainCleanly() {
        Replica remaining = open(new Replica("remaining-" + run, brokerPort(), Duration.ofHours(1)));
        // Its writer takes a minute per message: what it received stays unacknowledged past the drain's 300 ms.
        Replica stuck = open(new Replica("stuck-" + run, brokerPort(), Duration.ofMinutes(1), 60_000,
                Duration.ofMillis(300)));
        warmUp(remaining, stuck);
        assertThat(stuck.connection.drainedCleanly()).as("before any stop").isTrue();

        stuck.close();

        assertThat(stuck.connection.drainedCleanly()).isFalse();
    }

    private void assertBackWithinTheWindowLosesNothing(String name, int port, Consumer<Replica> leave) {
        Duration window = Duration.ofMinutes(1);
        Replica remaining = open(new Replica("remaining-" + run, brokerPort(), Duration.ofHours(1)));
        Replica departed = open(new Replica(name + run, port, window));
        warmUp(remaining, departed);

        leave.accept(departed);
        List<String> away = publishAll("away-", 100);
        Replica back = open(new Replica(name + run, brokerPort(), window));

        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> away.stream()
                .allMatch(t -> remaining.received.contains(t) || back.received.contains(t)));
        long queued = away.stream().filter(back.received::contains).count();
        long direct = away.stream().filter(remaining.received::contains).count();
        Log.infof("Replica back (%s): %d of %d were queued for it while it was away, %d went to the other one", name,
                queued, away.size(), direct);
        assertThat(queued).as("what the broker queued for the session while away").isPositive();
        assertThat(queued + direct).as("each message to exactly one replica, none lost").isEqualTo(away.size());
    }

    /** A replica of the server: its own BrokerConnection, the running server's settings under its own client id. */
    private final class Replica implements AutoCloseable {
        final Set<String> received = ConcurrentHashMap.newKeySet();
        final Set<String> acked = ConcurrentHashMap.newKeySet();
        final BrokerConnection connection;
        private final ExecutorService writer = Executors.newSingleThreadExecutor();

        Replica(String clientId, int port, Duration sessionExpiry) {
            this(clientId, port, sessionExpiry, 0);
        }

        /** Acknowledging each message {@code ackDelayMillis} after the previous one, off the I/O thread, when > 0. */
        Replica(String clientId, int port, Duration sessionExpiry, long ackDelayMillis) {
            this(clientId, port, sessionExpiry, ackDelayMillis, config.drainTimeout());
        }

        /** ... and a graceful stop's drain of at most {@code drainTimeout}. */
        Replica(String clientId, int port, Duration sessionExpiry, long ackDelayMillis, Duration drainTimeout) {
            MqttConfig settings = new Settings(clientId, port, sessionExpiry, drainTimeout, config);
            connection = new BrokerConnection(settings, new BrokerTransport(settings, tls, vertx), Clock.systemUTC(),
                    new SimpleMeterRegistry(), threads);
            connection.subscribe(List.of(Topics.shared(config.sharedGroup(), topic)), 1, m -> {
                String text = new String(m.payload(), StandardCharsets.UTF_8);
                received.add(text);
                if (ackDelayMillis == 0) {
                    ack(m, text);
                } else {
                    writer.execute(() -> {
                        try {
                            Thread.sleep(ackDelayMillis);
                        } catch (InterruptedException e) {
                            return;
                        }
                        ack(m, text);
                    });
                }
            });
            connection.start();
        }

        private void ack(BrokerConnection.Received m, String text) {
            if (m.ack()) {
                acked.add(text);
            }
        }

        @Override
        public void close() {
            connection.stop(null);
            writer.shutdownNow();
        }
    }

    /** The running server's MQTT settings but for where it connects, under which id, and its session's window. */
    private record Settings(String clientId, int port, Duration sessionExpiry, Duration drainTimeout,
            MqttConfig server) implements MqttConfig {
        @Override
        public String host() {
            return "127.0.0.1";
        }

        @Override
        public boolean tls() {
            return false;
        }

        @Override
        public Optional<String> tlsConfigurationName() {
            return Optional.empty();
        }

        @Override
        public Optional<String> username() {
            return server.username();
        }

        @Override
        public Optional<String> password() {
            return server.password();
        }

        @Override
        public Optional<String> sharedGroup() {
            return server.sharedGroup();
        }

        @Override
        public String instanceBrokerUrl() {
            return server.instanceBrokerUrl();
        }

        @Override
        public boolean adoptDepartedSessions() {
            return false;
        }

        @Override
        public Duration drainQuiet() {
            return server.drainQuiet();
        }

    }

    /** Publishes until both members of the group have had one: both subscribed, before anything is counted. */
    private void warmUp(Replica remaining, Replica other) {
        warmUp(remaining, () -> other.received.stream().anyMatch(t -> t.startsWith("warm-")));
    }

    private void warmUp(Replica remaining, BooleanSupplier otherHasOne) {
        int[] i = {0};
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            publish("warm-" + i[0]++);
            return remaining.received.stream().anyMatch(t -> t.startsWith("warm-")) && otherHasOne.getAsBoolean();
        });
    }

    /** Publishes markers until one reaches the replica; returns that one. */
    private String awaitArrival(Replica replica, String prefix) {
        int[] i = {0};
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            publish(prefix + i[0]++);
            return replica.received.stream().anyMatch(t -> t.startsWith(prefix));
        });
        return replica.received.stream().filter(t -> t.startsWith(prefix)).findFirst().orElseThrow();
    }

    private static boolean arrives(Replica replica, String text, Duration within) {
        try {
            Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(10))
                    .until(() -> replica.received.contains(text));
            return true;
        } catch (ConditionTimeoutException queuedElsewhere) {
            return false;
        }
    }

    private static void awaitAll(Replica replica, List<String> texts) {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> replica.received.containsAll(texts));
        } catch (ConditionTimeoutException e) {
            // the assertion that follows says how many are missing
        }
    }

    private List<String> publishAll(String prefix, int count) {
        List<String> texts = new ArrayList<>(IntStream.range(0, count).mapToObj(i -> prefix + i).toList());
        texts.forEach(this::publish);
        return texts;
    }

    /** QoS 1, returning on the broker's PUBACK: in the broker's hands, in this order. */
    private void publish(String text) {
        publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(text.getBytes(StandardCharsets.UTF_8))
                .send();
    }

    private <T extends AutoCloseable> T open(T closeable) {
        opened.push(closeable);
        return closeable;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static int brokerPort() {
        return LocalServicesResource.broker().port();
    }
}
