package io.omnii.server.common;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every API request an id, answered in {@value #HEADER} and recorded with what the request did (the audit
 * log), so a client's report, our log and the audit entry can be matched. A proxy's or client's own id is kept
 * when it is a short plain token; anything else is replaced rather than stored.
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    static final String KEY = "omnii.request-id";
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    void install(@Observes Router router) {
        router.route().order(HttpLimits.ORDER + 1).handler(ctx -> {
            String given = ctx.request().getHeader(HEADER);
            String id = given != null && PLAIN.matcher(given).matches() ? given : UUID.randomUUID().toString();
            ctx.put(KEY, id);
            ctx.response().putHeader(HEADER, id);
            ctx.next();
        });
    }

    /** The id of the request being handled on {@code ctx}. */
    public static String of(RoutingContext ctx) {
        return ctx.get(KEY);
    }
}
