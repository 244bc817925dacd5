package io.omnii.server.console;

import io.omnii.server.account.AccountPayloads.NewToken;
import io.omnii.server.account.AccountPayloads.NewTokenRequest;
import io.omnii.server.account.AccountPayloads.PasswordChange;
import io.omnii.server.account.AccountPayloads.TokenView;
import io.omnii.server.account.SessionService;
import io.omnii.server.account.AccountService;
import io.omnii.server.account.TokenService;
import io.omnii.server.auth.BrowserSignIn;
import io.omnii.server.auth.Subject;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Roles;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.ext.web.RoutingContext;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** The signed-in person's own account: their password and personal tokens. Every role; the same calls as /me. */
@Path("/console/me")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.VIEWER)
public class MePage {

    /** Longest lifetime the form offers, in days (the API's ten years). */
    static final int MAX_DAYS = 3650;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance me(Chrome chrome, List<TokenView> tokens);

        static native TemplateInstance me$tokens(Chrome chrome, List<TokenView> tokens);

        static native TemplateInstance token(NewToken token);

        static native TemplateInstance passwordChanged();
    }

    private final AccountService accounts;
    private final TokenService tokens;
    private final SessionService sessions;
    private final ConsoleRequest console;
    private final RoutingContext request;
    private final Validator validator;
    private final Clock clock;

    MePage(AccountService accounts, TokenService tokens, SessionService sessions, ConsoleRequest console,
            RoutingContext request, Validator validator, Clock clock) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.sessions = sessions;
        this.console = console;
        this.request = request;
        this.validator = validator;
        this.clock = clock;
    }

    @GET
    public TemplateInstance me() {
        return Templates.me(console.chrome("me"), tokens.list(owner()));
    }

    @GET
    @Path("/tokens")
    public TemplateInstance tokenRows() {
        return Templates.me$tokens(console.chrome("me"), tokens.list(owner()));
    }

    /** The person's other sessions end; this one goes on. */
    @POST
    @Path("/password")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public TemplateInstance changePassword(@FormParam("currentPassword") String current,
            @FormParam("newPassword") String next) {
        PasswordChange change = Forms.valid(validator, new PasswordChange(Forms.text("currentPassword", current),
                Forms.text("newPassword", next)));
        UUID keep = BrowserSignIn.secret(request.request()).flatMap(sessions::id).orElse(null);
        accounts.changePassword(owner(), change.currentPassword(), change.newPassword(), console.caller().actor(),
                keep);
        return Templates.passwordChanged();
    }

    /** The token is in this answer only. */
    @POST
    @Path("/tokens")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response createToken(@FormParam("name") String name, @FormParam("role") String role,
            @FormParam("scopeTags") String scopeTags, @FormParam("expiresInDays") String days) {
        Integer lifetime = Forms.whole("expiresInDays", days);
        if (lifetime != null && (lifetime < 1 || lifetime > MAX_DAYS)) {
            throw ApiException.invalid("expiresInDays", "must be between 1 and " + MAX_DAYS);
        }
        Long expiresAt = lifetime == null ? null : clock.instant().plus(Duration.ofDays(lifetime)).toEpochMilli();
        NewTokenRequest body = Forms.valid(validator, new NewTokenRequest(Forms.text("name", name), expiresAt,
                Forms.text("role", role), Forms.tags("scopeTags", scopeTags)));
        NewToken token = tokens.create(subject(), body, console.caller().actor());
        return Response.ok(Templates.token(token)).header("HX-Trigger", "tokens-changed").build();
    }

    @DELETE
    @Path("/tokens/{id}")
    public TemplateInstance revokeToken(@PathParam("id") String id) {
        UUID owner = owner();
        tokens.revoke(owner, Ids.pathId(id, "Token"), console.caller().actor());
        return Templates.me$tokens(console.chrome("me"), tokens.list(owner));
    }

    private Subject subject() {
        return console.caller().subject().orElseThrow();
    }

    private UUID owner() {
        return tokens.owner(subject());
    }
}
