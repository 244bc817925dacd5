package io.omnii.server.console;

import io.omnii.server.audit.AuditAction;
import io.omnii.server.audit.AuditEntryView;
import io.omnii.server.audit.AuditListParams;
import io.omnii.server.audit.AuditService;
import io.omnii.server.audit.AuditVerifier;
import io.omnii.server.audit.Target;
import io.omnii.server.audit.Verification;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The audit log with GET /audit's filters and cursor paging, under the same scope rule; admins also verify the chain
 * (GET /audit/verify).
 */
@Path("/console/audit")
@Produces(MediaType.TEXT_HTML)
public class AuditPage {

    /** The query parameters that filter, carried from page to page. */
    static final List<String> FILTERS = List.of("actor", "action", "targetType", "targetId", "from", "to", "size");

    /** The filters as they were given, to fill the form in again and carry them to the next page. */
    public record Filters(String actor, String action, String targetType, String targetId, String from, String to,
            String query) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance audit(Chrome chrome, Filters filters, List<String> actions,
                List<String> targetTypes, List<AuditEntryView> entries, long total, String next);

        static native TemplateInstance verification(Verification result);
    }

    private final AuditService audit;
    private final AuditVerifier verifier;
    private final ConsoleRequest console;

    AuditPage(AuditService audit, AuditVerifier verifier, ConsoleRequest console) {
        this.audit = audit;
        this.verifier = verifier;
        this.console = console;
    }

    /** Bad filters answer the API's 400, naming them. */
    @RolesAllowed(Roles.VIEWER)
    @GET
    public TemplateInstance audit(@BeanParam @Valid AuditListParams params, @Context UriInfo uri) {
        MultivaluedMap<String, String> query = uri.getQueryParameters();
        Page<AuditEntryView> page = audit.list(params.query(), console.caller().scopeTags(),
                Optional.of(console.caller().actor()), params.after(), params.request());
        Filters filters = new Filters(value(query.getFirst("actor")), value(query.getFirst("action")),
                value(query.getFirst("targetType")), value(query.getFirst("targetId")), value(query.getFirst("from")),
                value(query.getFirst("to")), filterQuery(query));
        return Templates.audit(console.chrome("audit"), filters,
                Arrays.stream(AuditAction.values()).map(AuditAction::wire).toList(),
                Arrays.stream(Target.Type.values()).map(Target.Type::wire).toList(), page.items(), page.total(),
                page.next());
    }

    /** Walks the whole chain, so only when asked: the "Verify now" button. */
    @RolesAllowed(Roles.ADMIN)
    @GET
    @Path("/verify")
    public TemplateInstance verify() {
        return Templates.verification(verifier.verify());
    }

    private static String value(String given) {
        return given == null ? "" : given;
    }

    /** The query string of the filters alone (no cursor, no page number), for the link to the next page. */
    private static String filterQuery(MultivaluedMap<String, String> query) {
        StringJoiner kept = new StringJoiner("&");
        for (String name : FILTERS) {
            String given = query.getFirst(name);
            if (given != null && !given.isEmpty()) {
                kept.add(name + "=" + URLEncoder.encode(given, StandardCharsets.UTF_8));
            }
        }
        return kept.toString();
    }
}
