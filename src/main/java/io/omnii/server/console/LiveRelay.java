package io.omnii.server.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.omnii.server.common.Change;
import io.omnii.server.common.Threads;
import io.omnii.server.replica.Replicas;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Carries console changes between replicas: a page open on one replica hears of telemetry another one wrote. Each
 * flush's changes go to the others as one PostgreSQL NOTIFY on {@link #CHANNEL} (sent off the event loop), and each
 * replica LISTENs on a connection of its own, outside the pool. A notification carries ids and tags only, as the
 * feed itself does. While this replica is alone nothing is sent; a change made while the listening connection is
 * being re-made is not heard there (pages look again on their next change or reload).
 */
@Singleton
public class LiveRelay {

    static final String CHANNEL = "omnii_live";
    /** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; past this a batch says "many" per kind instead. */
    static final int MAX_PAYLOAD_BYTES = 7_900;
    private static final long RECONNECT_MILLIS = 2_000;

    /** One flush's changes on the wire: who sent them, each change, and the kinds that overflowed. */
    record Relayed(UUID from, List<Item> changes, Set<String> many, Set<String> manyFleetWide) {
    }

    /** A change: its kind's event name, id (null: many) and tags (null: fleet-wide). */
    record Item(String kind, String id, Set<String> tags) {
    }

    /** What the feed hands over and hears: changes, and the kinds announced as "many" (of instances / fleet-wide). */
    record Batch(List<Change> changes, Set<Change.Kind> many, Set<Change.Kind> manyFleetWide) {
        boolean isEmpty() {
            return changes.isEmpty() && many.isEmpty() && manyFleetWide.isEmpty();
        }
    }

    private final Replicas replicas;
    private final ObjectMapper mapper;
    private final AgroalDataSource dataSource;
    private final Threads threads;
    private final String url;
    private final Optional<String> username;
    private final Optional<String> password;
    private final ExecutorService notifier;
    private volatile boolean alone = true;
    private volatile boolean stopping;
    private volatile Consumer<Batch> heard = b -> {
    };

    LiveRelay(Replicas replicas, ObjectMapper mapper, AgroalDataSource dataSource, Threads threads,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.replicas = replicas;
        this.mapper = mapper;
        this.dataSource = dataSource;
        this.threads = threads;
        this.url = url;
        this.username = username;
        this.password = password;
        this.notifier = threads.sequential(Threads.Name.LIVE_NOTIFY);
    }

    void start(@Observes StartupEvent event) {
        threads.start(Threads.Name.LIVE_LISTEN, this::listen);
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /** Who gets what the other replicas changed. */
    void onHeard(Consumer<Batch> receiver) {
        heard = receiver;
    }

    /** Whether no other replica is alive: then nothing need be kept for them. Checked every few seconds. */
    boolean alone() {
        return alone;
    }

    void refreshAlone() {
        alone = replicas.liveCount() <= 1;
    }

    /** Tells the other replicas, off the caller's thread. */
    void send(Batch batch) {
        if (alone || batch.isEmpty()) {
            return;
        }
        notifier.execute(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                notify.setString(1, CHANNEL);
                notify.setString(2, encode(batch));
                notify.execute();
            } catch (SQLException | RuntimeException e) {
                Log.debugf("Cannot tell the other replicas of console changes: %s", e.getMessage());
            }
        });
    }

    /** The wire form; a batch too big for one notification says "many" for each kind it holds instead. */
    String encode(Batch batch) {
        List<Item> items = batch.changes().stream()
                .map(c -> new Item(c.kind().eventName(), c.id(), c.tags())).toList();
        Relayed relayed = new Relayed(replicas.incarnation(), items, names(batch.many()),
                names(batch.manyFleetWide()));
        String json = json(relayed);
        if (json.getBytes(StandardCharsets.UTF_8).length <= MAX_PAYLOAD_BYTES) {
            return json;
        }
        Set<Change.Kind> many = EnumSet.noneOf(Change.Kind.class);
        Set<Change.Kind> manyFleetWide = EnumSet.noneOf(Change.Kind.class);
        many.addAll(batch.many());
        manyFleetWide.addAll(batch.manyFleetWide());
        batch.changes().forEach(c -> (c.tags() == null ? manyFleetWide : many).add(c.kind()));
        return json(new Relayed(replicas.incarnation(), List.of(), names(many), names(manyFleetWide)));
    }

    /** What another replica sent; empty for our own notification or one we cannot read. */
    Optional<Batch> decode(String payload) {
        try {
            Relayed r = mapper.readValue(payload, Relayed.class);
            if (r.from() == null || r.from().equals(replicas.incarnation())) {
                return Optional.empty();
            }
            List<Change> changes = new ArrayList<>();
            for (Item item : r.changes() == null ? List.<Item>of() : r.changes()) {
                changes.add(new Change(kind(item.kind()), item.id(), item.tags()));
            }
            return Optional.of(new Batch(changes, kinds(r.many()), kinds(r.manyFleetWide())));
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            Log.debugf("Ignoring an unreadable console change notification: %s", e.getMessage());
            return Optional.empty();
        }
    }

    private void listen() {
        while (!stopping) {
            try (Connection c = DriverManager.getConnection(url, username.orElse(null), password.orElse(null))) {
                c.createStatement().execute("LISTEN " + CHANNEL);
                PGConnection pg = c.unwrap(PGConnection.class);
                long checked = 0;
                while (!stopping) {
                    if (System.nanoTime() - checked > 5_000_000_000L) {
                        refreshAlone();
                        // A connection whose server went away without a word (a lost node, a fail-over) would
                        // otherwise wait for notifications for ever: ask it, and listen again on a new one.
                        if (!c.isValid(5)) {
                            throw new SQLException("the listening connection stopped answering");
                        }
                        checked = System.nanoTime();
                    }
                    PGNotification[] notifications = pg.getNotifications(1_000);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            decode(n.getParameter()).ifPresent(heard);
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!stopping) {
                    Log.debugf("Console change notifications interrupted: %s; listening again", e.getMessage());
                    try {
                        Thread.sleep(RECONNECT_MILLIS);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }

    private String json(Relayed relayed) {
        try {
            return mapper.writeValueAsString(relayed);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> names(Set<Change.Kind> kinds) {
        Set<String> names = new TreeSet<>();
        kinds.forEach(k -> names.add(k.eventName()));
        return names;
    }

    private static Set<Change.Kind> kinds(Set<String> names) {
        Set<Change.Kind> kinds = EnumSet.noneOf(Change.Kind.class);
        if (names != null) {
            names.forEach(n -> kinds.add(kind(n)));
        }
        return kinds;
    }

    private static Change.Kind kind(String eventName) {
        return Change.Kind.valueOf(eventName.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
