package io.omnii.server.console;

import io.omnii.server.auth.Caller;
import io.omnii.server.auth.Scope;
import io.omnii.server.common.Roles;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

/** The console pages' live stream (see {@link LiveFeed}); console.js listens to it. */
@Path("/console/events")
public class LiveResource {

    private final LiveFeed feed;
    private final Caller caller;

    LiveResource(LiveFeed feed, Caller caller) {
        this.feed = feed;
        this.caller = caller;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> events(@Context Sse sse) {
        Scope scope = caller.scope();
        return Multi.createFrom().emitter(emitter -> feed.listen(scope, sse, emitter));
    }
}
