package io.omnii.server.enrollment;

import io.omnii.server.audit.Actor;
import io.omnii.server.common.RequestIds;
import io.omnii.server.enrollment.EnrollmentPayloads.EnrollRequest;
import io.omnii.server.enrollment.EnrollmentPayloads.Enrollment;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;

/** The one endpoint an instance calls without the admin token: the code is its credential. */
@Path("/enroll")
public class EnrollResource {

    private final EnrollmentService enrollment;

    EnrollResource(EnrollmentService enrollment) {
        this.enrollment = enrollment;
    }

    @PermitAll
    @POST
    @SecurityRequirements // none: the code is the credential
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "The instance's identity, broker and topics")
    @APIResponse(responseCode = "400", description = "A code that is unknown, expired, used or revoked"
            + " (`invalid_enrollment_code`, one answer for all four), or a missing field (`validation_failed`)")
    @APIResponse(responseCode = "429", description = "Too many failed attempts (`too_many_attempts`)",
            headers = @Header(name = "Retry-After", description = "Seconds to wait",
                    schema = @Schema(type = SchemaType.INTEGER)))
    @APIResponse(responseCode = "503", description = "The broker could not create the instance's account"
            + " (`broker_provisioning_failed`); nothing was enrolled and the code still works")
    public Enrollment enroll(EnrollRequest request, @Context RoutingContext http) {
        String address = http.request().remoteAddress().hostAddress();
        // Built from the address and request id alone: asking who is calling would resolve the lazy identity, and a
        // stray Authorization header or session cookie would then refuse a request this endpoint does not check.
        return enrollment.enroll(request, address, Actor.anonymous(address, RequestIds.of(http)));
    }
}
