package io.omnii.server.common;

import jakarta.enterprise.event.Event;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Something people watching the console should see without reloading: an instance's status, a command's state, a
 * batch's progress, a commissioning attempt, a Matter node or the Matter connection. Fired as a CDI event inside the
 * transaction that made the change, where there is one; the console's live feed observes it after the commit, so a
 * rolled-back change is never announced (one fired outside a transaction, such as the Matter connection's state, is
 * heard at once). It carries no state, only what changed: pages fetch what they show again, under their caller's
 * rights.
 *
 * @param id what changed (an instance's or command's id, a node id); null for "many of this kind", which a writer
 *        changing thousands of rows in one transaction fires once instead of one event per row
 * @param tags the tags of the instance it concerns, which decide who may hear of it; null for what only callers
 *        with the whole fleet in scope may see (Matter, for one)
 */
public record Change(Kind kind, String id, Set<String> tags) {

    /**
     * Above this many changes of one kind in one write, the write fires one {@link #many} instead: each event observed
     * after the commit costs the transaction a synchronization.
     */
    public static final int MAX_EACH = 100;

    public enum Kind {
        INSTANCE, COMMAND, BATCH, COMMISSIONING, MATTER_NODE, MATTER_SERVER;

        /** The name of its server-sent event: "instance", "matter-node". */
        public String eventName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public Change {
        tags = tags == null ? null : Set.copyOf(tags);
    }

    /** A change to something of an instance (the instance, a command to it), heard by whoever may see the instance. */
    public static Change ofInstance(Kind kind, Object id, Collection<String> instanceTags) {
        return new Change(kind, String.valueOf(id), Set.copyOf(instanceTags));
    }

    /** Many of this kind changed (each page showing any of them looks again); heard by every signed-in page. */
    public static Change many(Kind kind) {
        return new Change(kind, null, Set.of());
    }

    /** A change only callers with the whole fleet in scope hear of. */
    public static Change fleetWide(Kind kind, Object id) {
        return new Change(kind, String.valueOf(id), null);
    }

    /** Fires each change, or one {@link #many} of the kind when there are more than {@link #MAX_EACH}. */
    public static void fire(Event<Change> events, Kind kind, Collection<Change> each) {
        if (each.size() > MAX_EACH) {
            events.fire(many(kind));
        } else {
            each.forEach(events::fire);
        }
    }

    public static Change instance(UUID id, Collection<String> tags) {
        return ofInstance(Kind.INSTANCE, id, tags);
    }
}
