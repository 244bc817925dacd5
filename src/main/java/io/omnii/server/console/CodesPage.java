package io.omnii.server.console;

import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import io.omnii.server.enrollment.EnrollmentConfig;
import io.omnii.server.enrollment.EnrollmentPayloads.CodeView;
import io.omnii.server.enrollment.EnrollmentPayloads.NewCode;
import io.omnii.server.enrollment.EnrollmentPayloads.NewCodeRequest;
import io.omnii.server.enrollment.EnrollmentService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;

/**
 * Enrollment codes: make one (shown once, with the two lines of the add-on's configuration), list them with their
 * state, revoke one. The same service calls as /enrollment-codes, under the signed-in person's scope.
 */
@Path("/console/codes")
@Produces(MediaType.TEXT_HTML)
public class CodesPage {

    /** The event a new or revoked code raises on the page, which has the list fetch itself again. */
    static final String CHANGED = "codes-changed";

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance codes(Chrome chrome, List<CodeView> codes, long total, int defaultHours,
                int maxHours);

        static native TemplateInstance codes$rows(Chrome chrome, List<CodeView> codes, long total);

        static native TemplateInstance created(NewCode code, String serverUrl);
    }

    private final EnrollmentService enrollment;
    private final EnrollmentConfig config;
    private final ConsoleRequest console;
    private final ConsoleConfig consoleConfig;
    private final Validator validator;

    CodesPage(EnrollmentService enrollment, EnrollmentConfig config, ConsoleRequest console,
            ConsoleConfig consoleConfig, Validator validator) {
        this.enrollment = enrollment;
        this.config = config;
        this.console = console;
        this.consoleConfig = consoleConfig;
        this.validator = validator;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    public TemplateInstance codes() {
        Page<CodeView> page = list();
        return Templates.codes(console.chrome("codes"), page.items(), page.total(), config.defaultExpiryHours(),
                config.maxExpiryHours());
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/rows")
    public TemplateInstance rows() {
        Page<CodeView> page = list();
        return Templates.codes$rows(console.chrome("codes"), page.items(), page.total());
    }

    /** Answers the code once, with the server's public address (omnii.console.public-url, else as this browser reached it). */
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@FormParam("expiresInHours") String hours, @FormParam("tags") String tags,
            @Context UriInfo uri) {
        NewCodeRequest request = Forms.valid(validator,
                new NewCodeRequest(Forms.whole("expiresInHours", hours), Forms.tags("tags", tags)));
        NewCode code = enrollment.createCode(console.caller().scope(), request.tags(), request.expiresInHours(),
                console.caller().actor());
        String server = consoleConfig.publicUrl().orElse(uri.getBaseUri()).toString().replaceAll("/$", "");
        return Response.ok(Templates.created(code, server)).header("HX-Trigger", CHANGED).build();
    }

    @RolesAllowed(Roles.OPERATOR)
    @DELETE
    @Path("/{id}")
    public Response revoke(@PathParam("id") String id) {
        enrollment.revoke(console.caller().scope(), Ids.pathId(id, "Enrollment code"), console.caller().actor());
        return Response.ok(rows()).build();
    }

    private Page<CodeView> list() {
        return enrollment.listCodes(console.caller().scope(), new Page.PageRequest(0, consoleConfig.pageSize()));
    }
}
