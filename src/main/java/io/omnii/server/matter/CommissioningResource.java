package io.omnii.server.matter;

import io.omnii.server.common.ApiException;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.matter.MatterPayloads.CommissioningRequest;
import io.omnii.server.matter.MatterPayloads.CommissioningView;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Commissioning new devices through the Matter Server: 202 with an operation to poll. */
@Path("/matter/commissioning")
@Produces(MediaType.APPLICATION_JSON)
public class CommissioningResource {

    private final CommissioningService commissioning;

    CommissioningResource(CommissioningService commissioning) {
        this.commissioning = commissioning;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(CommissioningRequest request) {
        CommissioningView started = commissioning.start(request);
        // A path, as docs/api.md shows: location(URI) would make it absolute from the Host the request came with,
        // which is wrong behind a proxy that terminates TLS or rewrites the host.
        return Response.accepted(started).header(HttpHeaders.LOCATION, "/matter/commissioning/" + started.id())
                .build();
    }

    /** Newest first. */
    @GET
    public Page<CommissioningView> list(@QueryParam("page") String page, @QueryParam("size") String size) {
        return commissioning.list(Page.request(page, size));
    }

    @GET
    @Path("/{id}")
    public CommissioningView get(@PathParam("id") String id) {
        return commissioning.find(Ids.pathId(id, "Commissioning"))
                .orElseThrow(() -> ApiException.notFound("Commissioning"));
    }
}
