package io.omnii.server.enrollment;

import io.omnii.server.auth.PublicEndpoint;
import io.omnii.server.enrollment.EnrollmentPayloads.EnrollRequest;
import io.omnii.server.enrollment.EnrollmentPayloads.Enrollment;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;

/** The one endpoint an instance calls without the admin token: the code is its credential. */
@Path("/enroll")
public class EnrollResource {

    private final EnrollmentService enrollment;

    EnrollResource(EnrollmentService enrollment) {
        this.enrollment = enrollment;
    }

    @POST
    @PublicEndpoint
    @SecurityRequirements // none: the code is the credential
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Enrollment enroll(EnrollRequest request, @Context HttpServerRequest http) {
        return enrollment.enroll(request, http.remoteAddress().hostAddress());
    }
}
