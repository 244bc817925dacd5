package io.omnii.server.console;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** The operator console (omnii.console.*). */
@ConfigMapping(prefix = "omnii.console")
public interface ConsoleConfig {

    /** Live updates: changes are gathered this long and sent to each open page as one event per kind. */
    @WithDefault("500ms")
    Duration liveInterval();

    /**
     * How long one live stream stays open before the server ends it and the browser reconnects, which checks the
     * session again: a signed-out or disabled person stops hearing of changes within this time.
     */
    @WithDefault("5m")
    Duration liveStreamMaxAge();

    /** At most this many ids in one event; beyond it the event says "everything of this kind" ("*"). */
    @WithDefault("200")
    int liveMaxIds();

    /**
     * The server's address as add-ons reach it (https://omnii.example.org), shown in a new code's add-on
     * configuration. Without it, the address the browser used, which behind a proxy may be an internal one.
     */
    Optional<URI> publicUrl();

    /** Rows per page of the console's tables. */
    @WithDefault("50")
    int pageSize();
}
