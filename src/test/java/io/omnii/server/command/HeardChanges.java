package io.omnii.server.command;

import io.omnii.server.common.Change;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Hears committed command and batch changes as the console's live feed does (after the commit only). */
@ApplicationScoped
public class HeardChanges {

    private static final int KEPT = 5_000;

    private final List<Change> heard = new CopyOnWriteArrayList<>();

    void on(@Observes(during = TransactionPhase.AFTER_SUCCESS) Change change) {
        if ((change.kind() == Change.Kind.COMMAND || change.kind() == Change.Kind.BATCH) && heard.size() < KEPT) {
            heard.add(change);
        }
    }

    public void clear() {
        heard.clear();
    }

    public List<Change> of(Change.Kind kind, String id) {
        return heard.stream().filter(c -> c.kind() == kind && java.util.Objects.equals(c.id(), id)).toList();
    }
}
