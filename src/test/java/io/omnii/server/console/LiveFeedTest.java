package io.omnii.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.omnii.server.common.Change;
import io.agroal.api.AgroalDataSource;
import io.omnii.server.replica.Replicas;
import io.omnii.server.testsupport.Database;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The console's live stream, read as a browser's EventSource would, over real HTTP. */
@QuarkusTest
class LiveFeedTest extends ServerTest {

    @TestHTTPResource("/")
    URL server;

    @Inject
    Event<Change> changes;

    @Inject
    LiveFeed feed;

    @Inject
    LiveRelay relay;

    @Inject
    Replicas replicas;

    @Inject
    Database db;

    @Inject
    AgroalDataSource dataSource;

    private final List<LiveStream> open = new ArrayList<>();

    @AfterEach
    void closeStreams() {
        open.forEach(LiveStream::close);
        open.clear();
    }

    /** A signed-in page's live stream, once the feed counts it. */
    private LiveStream listen(People.Session session) throws Exception {
        int before = feed.listening();
        LiveStream stream = LiveStream.open(server, session);
        open.add(stream);
        await().atMost(Duration.ofSeconds(5)).until(() -> feed.listening() > before);
        return stream;
    }

    private void commit(Change change) {
        QuarkusTransaction.requiringNew().run(() -> changes.fire(change));
    }

    private void rollBack(Change change) {
        QuarkusTransaction.begin();
        changes.fire(change);
        QuarkusTransaction.rollback();
    }

    @Test
    void aCommittedChangeIsAnnouncedAndARolledBackOneNever() throws Exception {
        People.user("watcher", "viewer");
        LiveStream received = listen(People.signIn("watcher"));
        UUID undone = UUID.randomUUID();
        UUID done = UUID.randomUUID();
        rollBack(Change.instance(undone, Set.of("kitchen")));
        commit(Change.instance(done, Set.of("kitchen")));

        assertThat(heard(received, 1)).containsExactly("instance " + done);
        commit(Change.ofInstance(Change.Kind.COMMAND, 42, Set.of("kitchen")));
        assertThat(heard(received, 1)).containsExactly("command 42");
    }

    @Test
    void aScopedPersonHearsOnlyOfWhatTheirScopeAdmits() throws Exception {
        People.user("everything", "viewer");
        People.user("garden-only", "viewer", "garden");
        LiveStream all = listen(People.signIn("everything"));
        LiveStream garden = listen(People.signIn("garden-only"));
        UUID kitchen = UUID.randomUUID();
        UUID shed = UUID.randomUUID();
        commit(Change.instance(kitchen, Set.of("kitchen")));
        commit(Change.instance(shed, Set.of("garden", "north")));
        commit(Change.fleetWide(Change.Kind.MATTER_NODE, 7));
        commit(Change.many(Change.Kind.BATCH));

        assertThat(heard(all, 4)).containsExactlyInAnyOrder("instance " + kitchen, "instance " + shed, "matter-node 7",
                "batch *");
        assertThat(heard(garden, 2)).containsExactlyInAnyOrder("instance " + shed, "batch *");
    }

    @Test
    void moreIdsThanAnEventCarriesBecomeEverything() throws Exception {
        People.user("busy", "viewer");
        LiveStream received = listen(People.signIn("busy"));
        QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < 500; i++) {
                changes.fire(Change.instance(UUID.randomUUID(), Set.of("x")));
            }
        });
        assertThat(heard(received, 1)).contains("instance *");
    }

    @Test
    void anOverflowIsForgottenOnceAnnouncedAndAFleetWideOneReachesOnlyTheWholeFleet() throws Exception {
        People.user("all-of-it", "viewer");
        People.user("north-only", "viewer", "north");
        LiveStream all = listen(People.signIn("all-of-it"));
        LiveStream north = listen(People.signIn("north-only"));
        QuarkusTransaction.requiringNew().run(() -> {
            // Twice the limit: without forgetting what it did not keep, the feed would stay over it for good.
            for (int i = 0; i < 2 * LiveFeed.MAX_PENDING + 10; i++) {
                changes.fire(Change.fleetWide(Change.Kind.MATTER_NODE, i));
            }
        });
        // Flushes may fall mid-way, so ids can come beside the "*"; all of them Matter's.
        assertThat(heard(all, 1)).contains("matter-node *").allMatch(e -> e.startsWith("matter-node "));
        assertThat(heard(north, 0)).isEmpty();
        assertThat(feed.pending()).as("changes counted but not kept").isZero();

        UUID later = UUID.randomUUID();
        commit(Change.instance(later, Set.of("north")));
        assertThat(heard(all, 1)).containsExactly("instance " + later);
        assertThat(heard(north, 1)).containsExactly("instance " + later);
    }

    @Test
    void aClosedStreamIsForgotten() throws Exception {
        People.user("leaver", "viewer");
        int before = feed.listening();
        listen(People.signIn("leaver"));
        assertThat(feed.listening()).isEqualTo(before + 1);
        closeStreams();
        await().atMost(Duration.ofSeconds(10)).until(() -> feed.listening() == before);
    }

    /** Sends what another replica's relay would, as it would (pg_notify on the relay's channel). */
    private void notifyAsAnotherReplica(String payload) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, LiveRelay.CHANNEL);
            ps.setString(2, payload);
            ps.execute();
        }
    }

    private static String relayed(UUID from, String changes) {
        return "{\"from\":\"" + from + "\",\"changes\":[" + changes + "],\"many\":[],\"manyFleetWide\":[]}";
    }

    @Test
    void aChangeAnotherReplicaMadeReachesThePagesOpenHereWithinTheirScope() throws Exception {
        People.user("everywhere", "viewer");
        People.user("garden-watcher", "viewer", "garden");
        LiveStream all = listen(People.signIn("everywhere"));
        LiveStream garden = listen(People.signIn("garden-watcher"));
        UUID kitchen = UUID.randomUUID();
        UUID shed = UUID.randomUUID();
        notifyAsAnotherReplica(relayed(UUID.randomUUID(), "{\"kind\":\"instance\",\"id\":\"" + kitchen
                + "\",\"tags\":[\"kitchen\"]},{\"kind\":\"instance\",\"id\":\"" + shed
                + "\",\"tags\":[\"garden\"]},{\"kind\":\"matter-node\",\"id\":\"9\",\"tags\":null}"));

        assertThat(heard(all, 3)).containsExactlyInAnyOrder("instance " + kitchen, "instance " + shed, "matter-node 9");
        assertThat(heard(garden, 1)).containsExactly("instance " + shed);
    }

    @Test
    void unreadableOrOwnNotificationsAreIgnoredAndTheRelayKeepsListening() throws Exception {
        People.user("steady", "viewer");
        LiveStream received = listen(People.signIn("steady"));
        UUID fine = UUID.randomUUID();
        for (String hostile : List.of("", "not json", "{}", "[1,2]", "{\"from\":null,\"changes\":[]}",
                "{\"from\":\"not-a-uuid\"}", relayed(UUID.randomUUID(), "{\"kind\":\"no-such-kind\",\"id\":\"1\"}"),
                relayed(UUID.randomUUID(), "{\"kind\":null,\"id\":\"1\"}"), relayed(UUID.randomUUID(), "7"),
                relayed(replicas.incarnation(), "{\"kind\":\"instance\",\"id\":\"" + UUID.randomUUID()
                        + "\",\"tags\":[]}"))) {
            notifyAsAnotherReplica(hostile);
        }
        notifyAsAnotherReplica(relayed(UUID.randomUUID(), "{\"kind\":\"command\",\"id\":\"" + fine
                + "\",\"tags\":[\"x\"]}"));
        assertThat(heard(received, 1)).containsExactly("command " + fine);
    }

    @Test
    void withAnotherReplicaAliveThisReplicasChangesAreNotifiedToIt() throws Exception {
        UUID other = UUID.randomUUID();
        db.execute("INSERT INTO replica (incarnation, client_id, started_at, seen_at) VALUES ('" + other
                + "', 'omnii-server-other', clock_timestamp(), clock_timestamp() + interval '1 minute')");
        try (Connection c = dataSource.getConnection()) {
            c.createStatement().execute("LISTEN " + LiveRelay.CHANNEL);
            relay.refreshAlone();
            UUID changed = UUID.randomUUID();
            commit(Change.instance(changed, Set.of("attic")));
            List<String> payloads = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < end && payloads.stream().noneMatch(p -> p.contains(changed.toString()))) {
                PGNotification[] got = c.unwrap(PGConnection.class).getNotifications(200);
                for (PGNotification n : got == null ? new PGNotification[0] : got) {
                    payloads.add(n.getParameter());
                }
            }
            assertThat(payloads).anySatisfy(p -> assertThat(p).contains(changed.toString(), "attic",
                    replicas.incarnation().toString()));
        } finally {
            db.execute("DELETE FROM replica WHERE incarnation = '" + other + "'");
            relay.refreshAlone();
        }
    }

    @Test
    void aFlushTooBigForOneNotificationSaysManyOfEachKindInstead() {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            changes.add(Change.instance(UUID.randomUUID(), Set.of("tag-" + i)));
        }
        changes.add(Change.fleetWide(Change.Kind.MATTER_NODE, 5));
        String payload = relay.encode(new LiveRelay.Batch(changes, Set.of(), Set.of()));
        assertThat(payload.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(
                LiveRelay.MAX_PAYLOAD_BYTES);
        LiveRelay.Batch decoded = relay.decode(payload.replace(replicas.incarnation().toString(),
                UUID.randomUUID().toString())).orElseThrow();
        assertThat(decoded.changes()).isEmpty();
        assertThat(decoded.many()).containsExactly(Change.Kind.INSTANCE);
        assertThat(decoded.manyFleetWide()).containsExactly(Change.Kind.MATTER_NODE);
    }

    /**
     * Each "kind id" heard (an event lists its ids space-separated; flushes may split them differently), waiting for
     * at least {@code atLeast} and then one more flush, in which nothing else may come.
     */
    private static List<String> heard(LiveStream stream, int atLeast) throws InterruptedException {
        List<String> got = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end && got.size() < atLeast) {
            stream.during(Duration.ofMillis(100)).forEach(e -> got.addAll(split(e)));
        }
        stream.during(Duration.ofMillis(700)).forEach(e -> got.addAll(split(e)));
        return got;
    }

    /** "kind id" for each id of an event; nothing for the keep-alive. */
    private static List<String> split(LiveStream.Event event) {
        if (LiveFeed.PING.equals(event.name())) {
            return List.of();
        }
        return Stream.of(event.data().split(" ")).map(id -> event.name() + " " + id).toList();
    }
}
