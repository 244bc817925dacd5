package io.omnii.server.fleet;

import io.omnii.server.common.ApiException;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Validation;
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

    InstanceResource(InstanceService instances) {
        this.instances = instances;
    }

    @GET
    public Page<InstanceView> list(@QueryParam("page") String page, @QueryParam("size") String size,
            @QueryParam("cursor") String cursor, @QueryParam("status") String status, @QueryParam("name") String name,
            @QueryParam("tag") List<String> tags) {
        Optional<InstanceStatus> statusFilter = Optional.ofNullable(status).map(s -> InstanceStatus.fromWire(s)
                .orElseThrow(() -> ApiException.invalid("status", "must be online, offline, error or decommissioned")));
        InstanceQuery query = new InstanceQuery(statusFilter, Optional.ofNullable(name).filter(n -> !n.isBlank()),
                tags == null ? List.of() : tags);
        Optional<String> cursorText = Optional.ofNullable(cursor).filter(c -> !c.isBlank());
        Optional<InstanceCursor> after = cursorText.flatMap(InstanceCursor::decode);
        Validation v = new Validation()
                .check(cursorText.isEmpty() || after.isPresent(), "cursor", "is not a cursor this listing gave out")
                .check(cursorText.isEmpty() || page == null || page.isBlank(), "page",
                        "cannot be combined with cursor");
        InstanceRules.checkTagFilter(v, "tag", query.tags());
        v.throwIfInvalid();
        Page.PageRequest request = Page.request(page, size);
        Page<Instance> found = after.isPresent() ? instances.listAfter(query, after.get(), request.size())
                : instances.list(query, request);
        return found.map(InstanceView::of);
    }

    @GET
    @Path("/{id}")
    public InstanceView get(@PathParam("id") String id) {
        return instances.find(parseId(id)).map(InstanceView::of).orElseThrow(() -> ApiException.notFound("Instance"));
    }

    @PATCH
    @Path("/{id}")
    @Consumes({ MediaType.APPLICATION_JSON, "application/merge-patch+json" })
    @APIResponse(responseCode = "200", description = "The instance as changed")
    @APIResponse(responseCode = "409", description = "The instance is decommissioned (`instance_decommissioned`)")
    public InstanceView update(@PathParam("id") String id, InstancePatch patch) {
        if (patch == null) {
            throw ApiException.invalid("body", "is required");
        }
        return InstanceView.of(instances.update(parseId(id), patch));
    }

    @DELETE
    @Path("/{id}")
    @APIResponse(responseCode = "204", description = "Decommissioned (also when it already was); its queued commands"
            + " are cancelled")
    @APIResponse(responseCode = "503", description = "The broker could not delete the instance's account"
            + " (`broker_provisioning_failed`); nothing was changed")
    public void decommission(@PathParam("id") String id) {
        instances.decommission(parseId(id));
    }

    private static UUID parseId(String id) {
        return Ids.pathId(id, "Instance");
    }
}
