package io.omnii.server.console;

import io.omnii.server.auth.Scope;
import io.omnii.server.common.Change;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tells open console pages what changed, over server-sent events. Committed {@link Change}s are gathered for
 * {@code omnii.console.live-interval} and each page then gets one event per kind that changed, whose data is the ids
 * it may see, space-separated, or "*" (many, or too many to list). Pages fetch what they show again themselves, with
 * their caller's rights, so an event never carries more than an id. Changes nobody listens to are not kept.
 *
 * <p>Changes made on other replicas are heard too: each flush's own changes go to them through {@link LiveRelay}, and
 * theirs join the next flush here.
 */
@ApplicationScoped
public class LiveFeed {

    /** Changes kept between two flushes at most; past it a kind is announced as "*". */
    static final int MAX_PENDING = 10_000;
    static final String ANY = "*";
    static final String PING = "ping";

    private final ConsoleConfig config;
    private final Vertx vertx;
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final Queue<Change> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    // Kinds that overflowed since the last flush: of instances (heard by everyone, as "*"), and fleet-wide ones (heard
    // only by pages with the whole fleet in scope).
    private final Set<Change.Kind> overflowed = ConcurrentHashMap.newKeySet();
    private final Set<Change.Kind> overflowedFleetWide = ConcurrentHashMap.newKeySet();
    /** What other replicas changed, for the next flush (already bounded per notification by the sender). */
    private final Queue<LiveRelay.Batch> heard = new ConcurrentLinkedQueue<>();
    private final LiveRelay relay;
    private long timer = -1;

    LiveFeed(ConsoleConfig config, Vertx vertx, LiveRelay relay) {
        this.config = config;
        this.vertx = vertx;
        this.relay = relay;
        relay.onHeard(batch -> {
            if (!listeners.isEmpty()) {
                heard.add(batch);
            }
        });
    }

    /** One open page's stream. */
    record Listener(Scope scope, Sse sse, MultiEmitter<? super OutboundSseEvent> emitter, long openedAt,
            long[] lastSentAt) {
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.liveInterval().toMillis(), id -> flush());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        listeners.forEach(l -> l.emitter().complete());
    }

    /** After the commit only: a rolled-back change is never announced. */
    void changed(@Observes(during = TransactionPhase.AFTER_SUCCESS) Change change) {
        if (listeners.isEmpty() && relay.alone()) {
            return;
        }
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet(); // not kept, so not counted
            (change.tags() == null ? overflowedFleetWide : overflowed).add(change.kind());
            return;
        }
        pending.add(change);
    }

    /** Starts telling {@code emitter} of the changes {@code scope} admits, until it ends. */
    void listen(Scope scope, Sse sse, MultiEmitter<? super OutboundSseEvent> emitter) {
        long now = System.currentTimeMillis();
        Listener listener = new Listener(scope, sse, emitter, now, new long[] { now });
        listeners.add(listener);
        emitter.onTermination(() -> listeners.remove(listener));
    }

    int listening() {
        return listeners.size();
    }

    /** Changes kept for the next flush. */
    int pending() {
        return pendingCount.get();
    }

    void flush() {
        List<Change> own = new ArrayList<>();
        Change change;
        while ((change = pending.poll()) != null) {
            pendingCount.decrementAndGet();
            own.add(change);
        }
        Set<Change.Kind> many = EnumSet.noneOf(Change.Kind.class);
        Set<Change.Kind> manyFleetWide = EnumSet.noneOf(Change.Kind.class);
        for (Change.Kind kind : Change.Kind.values()) {
            if (overflowed.remove(kind)) {
                many.add(kind);
            }
            if (overflowedFleetWide.remove(kind)) {
                manyFleetWide.add(kind);
            }
        }
        relay.send(new LiveRelay.Batch(List.copyOf(own), EnumSet.copyOf(many), EnumSet.copyOf(manyFleetWide)));
        Map<Change.Kind, List<Change>> byKind = new EnumMap<>(Change.Kind.class);
        own.forEach(c -> byKind.computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(c));
        LiveRelay.Batch theirs;
        while ((theirs = heard.poll()) != null) {
            theirs.changes().forEach(c -> byKind.computeIfAbsent(c.kind(), k -> new ArrayList<>()).add(c));
            many.addAll(theirs.many());
            manyFleetWide.addAll(theirs.manyFleetWide());
        }
        if (listeners.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        for (Listener listener : listeners) {
            try {
                tell(listener, byKind, listener.scope().unrestricted() ? union(many, manyFleetWide) : many, now);
            } catch (RuntimeException e) {
                // One broken stream must not keep the others from hearing.
                Log.debugf(e, "A console live stream failed");
                listener.emitter().fail(e);
            }
        }
    }

    private void tell(Listener listener, Map<Change.Kind, List<Change>> byKind, Set<Change.Kind> many, long now) {
        if (now - listener.openedAt() >= config.liveStreamMaxAge().toMillis()) {
            listener.emitter().complete(); // the browser reconnects, and its session is checked again
            return;
        }
        boolean sent = false;
        for (Change.Kind kind : Change.Kind.values()) {
            String data = many.contains(kind) ? ANY : visibleIds(listener.scope(), byKind.getOrDefault(kind, List.of()));
            if (data != null) {
                listener.emitter().emit(listener.sse().newEventBuilder().name(kind.eventName()).data(data).build());
                sent = true;
            }
        }
        if (sent) {
            listener.lastSentAt()[0] = now;
        } else if (now - listener.lastSentAt()[0] >= 25_000) {
            // Keeps proxies from closing a quiet stream.
            listener.emitter().emit(listener.sse().newEventBuilder().name(PING).data("").build());
            listener.lastSentAt()[0] = now;
        }
    }

    private static Set<Change.Kind> union(Set<Change.Kind> a, Set<Change.Kind> b) {
        if (b.isEmpty()) {
            return a;
        }
        Set<Change.Kind> both = EnumSet.copyOf(b);
        both.addAll(a);
        return both;
    }

    /** The ids of the changes this scope may hear of, space-separated; "*" for many; null when there are none. */
    private String visibleIds(Scope scope, List<Change> changes) {
        Set<String> ids = new LinkedHashSet<>();
        for (Change c : changes) {
            boolean visible = c.tags() == null ? scope.unrestricted() : c.id() == null || scope.admits(c.tags());
            if (!visible) {
                continue;
            }
            if (c.id() == null) {
                return ANY;
            }
            ids.add(c.id());
            if (ids.size() > config.liveMaxIds()) {
                return ANY;
            }
        }
        return ids.isEmpty() ? null : String.join(" ", ids);
    }
}
