package io.omnii.server.telemetry;

import io.omnii.server.auth.Caller;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/instances/{id}")
@Produces(MediaType.APPLICATION_JSON)
public class HistoryResource {

    private final HistoryService history;
    private final Caller caller;

    HistoryResource(HistoryService history, Caller caller) {
        this.history = history;
        this.caller = caller;
    }

    /** Metrics history; {@code from} (inclusive) and {@code to} (exclusive) are epoch milliseconds, default all. */
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/metrics")
    public Page<HistoryService.Sample> metrics(@PathParam("id") String id, @BeanParam @Valid HistoryWindow window,
            @BeanParam @Valid Page.Params paging) {
        return history.metrics(caller.scope(), Ids.pathId(id, "Instance"), window.from(), window.to(), paging.request());
    }

    /** Status transitions with their reasons, newest first. */
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/events")
    public Page<HistoryService.Event> events(@PathParam("id") String id, @BeanParam @Valid Page.Params paging) {
        return history.events(caller.scope(), Ids.pathId(id, "Instance"), paging.request());
    }
}
