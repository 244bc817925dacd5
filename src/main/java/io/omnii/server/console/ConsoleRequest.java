package io.omnii.server.console;

import io.omnii.server.auth.BrowserSignIn;
import io.omnii.server.auth.Caller;
import io.omnii.server.auth.SessionCookie;
import io.omnii.server.auth.Subject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;

/** The console's view of the request being served: who asks, and the frame of the page they get. */
@RequestScoped
public class ConsoleRequest {

    private final Caller caller;
    private final RoutingContext request;

    ConsoleRequest(Caller caller, RoutingContext request) {
        this.caller = caller;
        this.request = request;
    }

    /** The frame of a page in the {@code active} section of the navigation. Only for signed-in requests. */
    public Chrome chrome(String active) {
        Subject subject = caller.subject()
                .orElseThrow(() -> new IllegalStateException("A console page is served only to someone signed in"));
        String csrf = BrowserSignIn.secret(request.request()).map(SessionCookie::csrfToken).orElse("");
        return new Chrome(subject.name(), subject.role(), subject.scope().tags().stream().sorted().toList(), csrf,
                active);
    }

    public Caller caller() {
        return caller;
    }
}
