package io.omnii.server.enrollment;

import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.enrollment.EnrollmentPayloads.CodeView;
import io.omnii.server.enrollment.EnrollmentPayloads.NewCode;
import io.omnii.server.enrollment.EnrollmentPayloads.NewCodeRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/enrollment-codes")
@Produces(MediaType.APPLICATION_JSON)
public class EnrollmentCodeResource {

    private final EnrollmentService enrollment;

    EnrollmentCodeResource(EnrollmentService enrollment) {
        this.enrollment = enrollment;
    }

    /** The body is optional: no body means the default lifetime. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(201)
    public NewCode create(NewCodeRequest request) {
        return enrollment.createCode(request == null ? null : request.expiresInHours());
    }

    @GET
    public Page<CodeView> list(@QueryParam("page") String page, @QueryParam("size") String size) {
        return enrollment.listCodes(Page.request(page, size));
    }

    @DELETE
    @Path("/{id}")
    public void revoke(@PathParam("id") String id) {
        enrollment.revoke(Ids.pathId(id, "Enrollment code"));
    }
}
