package io.omnii.server.matter;

import io.omnii.server.audit.AuditCaller;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import io.omnii.server.matter.MatterPayloads.CommissioningRequest;
import io.omnii.server.matter.MatterPayloads.CommissioningView;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Commissioning new devices through the Matter Server: 202 with an operation to poll. */
@Path("/matter/commissioning")
@Produces(MediaType.APPLICATION_JSON)
public class CommissioningResource {

    private final CommissioningService commissioning;
    private final AuditCaller caller;

    CommissioningResource(CommissioningService commissioning, AuditCaller caller) {
        this.commissioning = commissioning;
        this.caller = caller;
    }

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "202", description = "Started: poll the operation until it is no longer pending",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = CommissioningView.class)),
            headers = @Header(name = "Location", description = "The operation to poll",
                    schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "409", description = "Another commissioning is pending (`commissioning_in_progress`),"
            + " or a credential id was given to a Matter Server that keeps no named credentials"
            + " (`matter_feature_unsupported`)")
    @APIResponse(responseCode = "503", description = "The Matter relay is off (`matter_relay_off`) or the Matter"
            + " Server is unreachable (`matter_server_unavailable`)")
    public Response start(CommissioningRequest request) {
        CommissioningView started = commissioning.start(request, caller.actor());
        // A path, as docs/api.md shows: location(URI) would make it absolute from the Host the request came with,
        // which is wrong behind a proxy that terminates TLS or rewrites the host.
        return Response.accepted(started).header(HttpHeaders.LOCATION, "/matter/commissioning/" + started.id())
                .build();
    }

    /** Newest first. */
    @RolesAllowed(Roles.VIEWER)
    @GET
    public Page<CommissioningView> list(@BeanParam @Valid Page.Params paging) {
        return commissioning.list(paging.request());
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{id}")
    public CommissioningView get(@PathParam("id") String id) {
        return commissioning.find(Ids.pathId(id, "Commissioning"))
                .orElseThrow(() -> ApiException.notFound("Commissioning"));
    }
}
