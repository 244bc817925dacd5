package io.omnii.server.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects the break-glass notices the server announces, for BreakGlassNoticeTest. */
@ApplicationScoped
public class BreakGlassNotices {

    private final List<BreakGlassUsed> seen = new CopyOnWriteArrayList<>();

    /** What was seen so far (through a method: the injected bean is a client proxy). */
    List<BreakGlassUsed> seen() {
        return List.copyOf(seen);
    }

    void on(@ObservesAsync BreakGlassUsed used) {
        seen.add(used);
    }
}
