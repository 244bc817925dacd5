package io.omnii.server.command;

import io.omnii.server.auth.Caller;
import io.omnii.server.command.CommandPayloads.CommandRequest;
import io.omnii.server.command.CommandPayloads.CommandView;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/instances/{id}/commands")
@Produces(MediaType.APPLICATION_JSON)
public class InstanceCommandResource {

    private final CommandService commands;
    private final Caller caller;

    InstanceCommandResource(CommandService commands, Caller caller) {
        this.commands = commands;
        this.caller = caller;
    }

    /** Accepted, not done: the answer shows the command queued; GET /commands/{id} follows it. */
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(202)
    @APIResponseSchema(value = CommandView.class, responseCode = "202",
            responseDescription = "Queued: sent as soon as the instance is online")
    @APIResponse(responseCode = "409", description = "The instance is decommissioned (`instance_decommissioned`)")
    public CommandView send(@PathParam("id") String instanceId, CommandRequest request) {
        return commands.send(caller.scope(), Ids.pathId(instanceId, "Instance"), request, caller.actor());
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    public Page<CommandView> listFor(@PathParam("id") String instanceId, @BeanParam @Valid Page.Params paging) {
        return commands.listFor(caller.scope(), Ids.pathId(instanceId, "Instance"), paging.request());
    }
}
