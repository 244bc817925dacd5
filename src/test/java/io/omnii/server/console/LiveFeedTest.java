package io.omnii.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.omnii.server.common.Change;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
