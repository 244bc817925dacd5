package io.omnii.server.fleet;

import io.omnii.server.auth.Caller;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

@Path("/instances")
@Produces(MediaType.APPLICATION_JSON)
public class InstanceResource {

    private final InstanceService instances;
    private final Caller caller;

    InstanceResource(InstanceService instances, Caller caller) {
        this.instances = instances;
        this.caller = caller;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    public Page<InstanceView> list(@BeanParam @Valid InstanceListParams params) {
        InstanceQuery query = params.query();
        Optional<InstanceCursor> after = params.after();
        Page.PageRequest request = params.request();
        Page<Instance> found = after.isPresent()
                ? instances.listAfter(caller.scope(), query, after.get(), request.size())
                : instances.list(caller.scope(), query, request);
        return found.map(InstanceView::of);
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{id}")
    public InstanceView get(@PathParam("id") String id) {
        return instances.find(caller.scope(), parseId(id)).map(InstanceView::of).orElseThrow(() -> ApiException.notFound("Instance"));
    }

    @RolesAllowed(Roles.ADMIN)
    @PATCH
    @Path("/{id}")
    @Consumes({ MediaType.APPLICATION_JSON, "application/merge-patch+json" })
    @APIResponse(responseCode = "200", description = "The instance as changed")
    @APIResponse(responseCode = "409", description = "The instance is decommissioned (`instance_decommissioned`)")
    public InstanceView update(@PathParam("id") String id, @NotNull(message = "is required") InstancePatch body) {
        return InstanceView.of(instances.update(caller.scope(), parseId(id), body, caller.actor()));
    }

    @RolesAllowed(Roles.ADMIN)
    @DELETE
    @Path("/{id}")
    @APIResponse(responseCode = "204", description = "Decommissioned (also when it already was); its queued commands"
            + " are cancelled")
    @APIResponse(responseCode = "503", description = "The broker could not delete the instance's account"
            + " (`broker_provisioning_failed`); nothing was changed")
    public void decommission(@PathParam("id") String id) {
        instances.decommission(caller.scope(), parseId(id), caller.actor());
    }

    private static UUID parseId(String id) {
        return Ids.pathId(id, "Instance");
    }
}
