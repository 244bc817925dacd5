package io.omnii.server.command;

import io.omnii.server.common.Change;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.Tuple;
import java.sql.Array;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Tells the console which commands and batches moved, as {@link Change}s fired inside the transaction that moved
 * them (so a rolled-back move is never heard of). A statement that moved more than {@link Change#MAX_EACH} of them
 * is announced as "many" of the kind, not row by row.
 */
@ApplicationScoped
class CommandChanges {

    private final Event<Change> changes;

    CommandChanges(Event<Change> changes) {
        this.changes = changes;
    }

    /** A command whose state changed: its id, its batch's (null for none), and its instance's tags. */
    record Moved(UUID id, UUID batchId, List<String> tags) {

        /** From a row of an UPDATE ... RETURNING c.id, c.batch_id, i.tags. */
        static Moved of(Tuple row) {
            return new Moved(row.get("id", UUID.class), row.get("batch_id", UUID.class), tags(row.get("tags")));
        }

        static List<String> tags(Object column) {
            try {
                Object array = column instanceof Array sql ? sql.getArray() : column;
                return array == null ? List.of() : Arrays.stream((Object[]) array).map(String::valueOf).toList();
            } catch (SQLException e) {
                throw new IllegalStateException("instance tags unreadable", e);
            }
        }
    }

    void announce(Collection<Moved> moved) {
        fire(Change.Kind.COMMAND, moved.stream().map(m -> Change.ofInstance(Change.Kind.COMMAND, m.id(), m.tags())));
        fire(Change.Kind.BATCH, moved.stream().filter(m -> m.batchId() != null)
                .map(m -> Change.ofInstance(Change.Kind.BATCH, m.batchId(), m.tags())));
    }

    void announce(Moved moved) {
        announce(List.of(moved));
    }

    private void fire(Change.Kind kind, Stream<Change> each) {
        Set<Change> distinct = new LinkedHashSet<>();
        each.filter(Objects::nonNull).forEach(distinct::add);
        Change.fire(changes, kind, distinct);
    }
}
