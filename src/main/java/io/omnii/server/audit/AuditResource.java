package io.omnii.server.audit;

import io.omnii.server.common.Page;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Optional;
import java.util.Set;

@Path("/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    private final AuditService audit;
    private final AuditVerifier verifier;

    AuditResource(AuditService audit, AuditVerifier verifier) {
        this.audit = audit;
        this.verifier = verifier;
    }

    /** Entries newest first, filtered; {@code next} resumes after the page. */
    @GET
    public Page<AuditEntryView> list(@BeanParam @Valid AuditListParams params) {
        return audit.list(params.query(), Set.of(), Optional.empty(), params.after(), params.request());
    }

    /** Walks the whole chain; {@code ok} false names the first broken link. */
    @GET
    @Path("/verify")
    public Verification verify() {
        return verifier.verify();
    }
}
