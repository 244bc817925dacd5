package io.omnii.server.enrollment;

import io.omnii.server.auth.Caller;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import io.omnii.server.enrollment.EnrollmentPayloads.CodeView;
import io.omnii.server.enrollment.EnrollmentPayloads.NewCode;
import io.omnii.server.enrollment.EnrollmentPayloads.NewCodeRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/enrollment-codes")
@Produces(MediaType.APPLICATION_JSON)
public class EnrollmentCodeResource {

    private final EnrollmentService enrollment;
    private final Caller caller;

    EnrollmentCodeResource(EnrollmentService enrollment, Caller caller) {
        this.enrollment = enrollment;
        this.caller = caller;
    }

    /** The body is optional: no body means the default lifetime and, for a scope of one tag, that tag. */
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(201)
    @APIResponseSchema(value = NewCode.class, responseCode = "201",
            responseDescription = "The code: this answer is the only time it is shown")
    @APIResponse(responseCode = "400", description = "Invalid fields (`validation_failed`), among them `tags` that a"
            + " scoped caller left out under a scope of several tags or that are not all its scope's")
    @APIResponse(responseCode = "503", description = "Too many live codes (`code_space_exhausted`); revoke some first")
    public NewCode create(@Valid NewCodeRequest request) {
        return enrollment.createCode(caller.scope(), request == null ? null : request.tags(),
                request == null ? null : request.expiresInHours(), caller.actor());
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    public Page<CodeView> list(@BeanParam @Valid Page.Params paging) {
        return enrollment.listCodes(caller.scope(), paging.request());
    }

    @RolesAllowed(Roles.OPERATOR)
    @DELETE
    @Path("/{id}")
    @APIResponse(responseCode = "204", description = "Revoked (also when it already was)")
    @APIResponse(responseCode = "409", description = "The code already enrolled an instance (`code_already_used`)")
    public void revoke(@PathParam("id") String id) {
        enrollment.revoke(caller.scope(), Ids.pathId(id, "Enrollment code"), caller.actor());
    }
}
