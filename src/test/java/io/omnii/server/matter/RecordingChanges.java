package io.omnii.server.matter;

import io.omnii.server.common.Change;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the changes announced to the console, after their commit, as the console's live feed hears them. */
@Singleton
public class RecordingChanges {

    public final List<Change> heard = new CopyOnWriteArrayList<>();

    void changed(@Observes(during = TransactionPhase.AFTER_SUCCESS) Change change) {
        heard.add(change);
    }

    public List<String> ids(Change.Kind kind) {
        return heard.stream().filter(c -> c.kind() == kind).map(Change::id).toList();
    }
}
