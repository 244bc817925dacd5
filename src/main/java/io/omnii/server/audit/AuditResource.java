package io.omnii.server.audit;

import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Optional;

@Path("/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    private final AuditService audit;
    private final AuditVerifier verifier;
    private final AuditCaller caller;

    AuditResource(AuditService audit, AuditVerifier verifier, AuditCaller caller) {
        this.audit = audit;
        this.verifier = verifier;
        this.caller = caller;
    }

    /**
     * Entries newest first, filtered; {@code next} resumes after the page. A caller limited to some tags sees the
     * entries on instances carrying them, and its own.
     */
    @RolesAllowed(Roles.VIEWER)
    @GET
    public Page<AuditEntryView> list(@BeanParam @Valid AuditListParams params) {
        return audit.list(params.query(), caller.scopeTags(), Optional.of(caller.actor()), params.after(),
                params.request());
    }

    /** Walks the whole chain; {@code ok} false names the first broken link. */
    @RolesAllowed(Roles.ADMIN)
    @GET
    @Path("/verify")
    public Verification verify() {
        return verifier.verify();
    }
}
