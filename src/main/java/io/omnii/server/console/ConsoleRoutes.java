package io.omnii.server.console;

import io.omnii.server.auth.BrowserSignIn;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** The server's root is the console's: a browser pointed at the server lands on the fleet page. */
@ApplicationScoped
public class ConsoleRoutes {

    void root(@Observes Router router) {
        router.get("/").handler(rc -> rc.response().setStatusCode(303)
                .putHeader("Location", BrowserSignIn.CONSOLE).end());
    }
}
