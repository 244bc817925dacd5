package io.omnii.server.console;

import io.omnii.server.account.AccountPayloads.NewPassword;
import io.omnii.server.account.AccountPayloads.NewUser;
import io.omnii.server.account.AccountPayloads.NewUserRequest;
import io.omnii.server.account.AccountPayloads.TokenView;
import io.omnii.server.account.AccountPayloads.UserPatch;
import io.omnii.server.account.AccountPayloads.UserView;
import io.omnii.server.account.AccountService;
import io.omnii.server.account.TokenService;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;

/**
 * People, for admins: the users, making one with a role, scope and first password; a user's role, scope and
 * disabling, a new password, and their tokens. The same service calls as /users.
 */
@Path("/console/people")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.ADMIN)
public class PeoplePage {

    static final String CHANGED = "people-changed";

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance people(Chrome chrome, List<UserView> users, long total);

        static native TemplateInstance people$users(Chrome chrome, List<UserView> users, long total);

        static native TemplateInstance created(UserView user, String password);

        static native TemplateInstance person(Chrome chrome, UserView user, List<TokenView> tokens);

        static native TemplateInstance person$tokens(Chrome chrome, UserView user, List<TokenView> tokens);

        static native TemplateInstance person$account(Chrome chrome, UserView user, List<TokenView> tokens);

        static native TemplateInstance password(String password);
    }

    private final AccountService accounts;
    private final TokenService tokens;
    private final ConsoleRequest console;
    private final ConsoleConfig config;
    private final Validator validator;

    PeoplePage(AccountService accounts, TokenService tokens, ConsoleRequest console, ConsoleConfig config,
            Validator validator) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.console = console;
        this.config = config;
        this.validator = validator;
    }

    @GET
    public TemplateInstance people() {
        Page<UserView> page = list();
        return Templates.people(console.chrome("people"), page.items(), page.total());
    }

    @GET
    @Path("/rows")
    public TemplateInstance users() {
        Page<UserView> page = list();
        return Templates.people$users(console.chrome("people"), page.items(), page.total());
    }

    /** Without a password the server makes one, shown this once. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(@FormParam("username") String username, @FormParam("displayName") String displayName,
            @FormParam("role") String role, @FormParam("scopeTags") String scopeTags,
            @FormParam("password") String password) {
        NewUserRequest request = Forms.valid(validator, new NewUserRequest(Forms.text("username", username),
                Forms.text("displayName", displayName), Forms.text("role", role),
                Forms.tags("scopeTags", scopeTags), Forms.text("password", password)));
        NewUser user = accounts.create(request, console.caller().actor());
        return Response.ok(Templates.created(user.user(), user.password())).header("HX-Trigger", CHANGED).build();
    }

    @GET
    @Path("/{id}")
    public TemplateInstance person(@PathParam("id") String id) {
        UUID user = Ids.pathId(id, "User");
        return Templates.person(console.chrome("people"), accounts.get(user), tokens.list(user));
    }

    /** Role, scope and disabled, as PATCH /users/{id}; answers the account's section as it now is. */
    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public TemplateInstance update(@PathParam("id") String id, @FormParam("role") String role,
            @FormParam("scopeTags") String scopeTags, @FormParam("disabled") String disabled) {
        UUID user = Ids.pathId(id, "User");
        UserPatch patch = Forms.valid(validator, new UserPatch(null, Forms.text("role", role),
                "on".equals(Forms.text("disabled", disabled)), scopeTagsOrNone(scopeTags)));
        return Templates.person$account(console.chrome("people"), accounts.update(user, patch,
                console.caller().actor()), tokens.list(user));
    }

    @POST
    @Path("/{id}/password")
    public TemplateInstance resetPassword(@PathParam("id") String id) {
        NewPassword password = accounts.resetPassword(Ids.pathId(id, "User"), console.caller().actor());
        return Templates.password(password.password());
    }

    @DELETE
    @Path("/{id}/tokens/{tokenId}")
    public TemplateInstance revokeToken(@PathParam("id") String id, @PathParam("tokenId") String tokenId) {
        UUID user = Ids.pathId(id, "User");
        tokens.revoke(user, Ids.pathId(tokenId, "Token"), console.caller().actor());
        return Templates.person$tokens(console.chrome("people"), accounts.get(user), tokens.list(user));
    }

    /** An empty scope field means the whole fleet (the form always sends the scope; the API's absent is "unchanged"). */
    private static List<String> scopeTagsOrNone(String scopeTags) {
        List<String> tags = Forms.tags("scopeTags", scopeTags);
        return tags == null ? List.of() : tags;
    }

    private Page<UserView> list() {
        return accounts.list(new Page.PageRequest(0, config.pageSize()));
    }
}
