package io.omnii.server.command;

import io.omnii.server.auth.Caller;
import io.omnii.server.command.CommandPayloads.BatchView;
import io.omnii.server.command.CommandPayloads.BulkCommandRequest;
import io.omnii.server.command.CommandPayloads.CommandView;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class CommandResource {

    private final CommandService commands;
    private final Caller caller;

    CommandResource(CommandService commands, Caller caller) {
        this.commands = commands;
        this.caller = caller;
    }

    /** Fans out one command per targeted instance; GET /command-batches/{id} follows them. */
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/commands")
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(202)
    @APIResponseSchema(value = BatchView.class, responseCode = "202",
            responseDescription = "One command queued per targeted instance")
    public BatchView sendToMany(BulkCommandRequest request) {
        return commands.sendToMany(caller.scope(), request, caller.actor());
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/commands/{id}")
    public CommandView get(@PathParam("id") String id) {
        return commands.find(caller.scope(), Ids.pathId(id, "Command")).orElseThrow(() -> ApiException.notFound("Command"));
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/command-batches/{id}")
    public BatchView batch(@PathParam("id") String id) {
        return commands.batch(caller.scope(), Ids.pathId(id, "Command batch")).orElseThrow(() -> ApiException.notFound("Command batch"));
    }
}
