package io.omnii.server.account;

import io.omnii.server.account.AccountPayloads.Me;
import io.omnii.server.account.AccountPayloads.NewToken;
import io.omnii.server.account.AccountPayloads.NewTokenRequest;
import io.omnii.server.account.AccountPayloads.PasswordChange;
import io.omnii.server.account.AccountPayloads.TokenView;
import io.omnii.server.auth.Caller;
import io.omnii.server.auth.SessionCookie;
import io.omnii.server.auth.Subject;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Roles;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.ResponseStatus;

/** The caller's own account: who it is, its password, its personal tokens. Every role may. */
@Path("/me")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.VIEWER)
public class MeResource {

    private static final String NO_ACCOUNT = "The break-glass token has no account (`no_account`)";

    private final Caller caller;
    private final AccountService accounts;
    private final TokenService tokens;
    private final SessionService sessions;
    private final RoutingContext request;

    MeResource(Caller caller, AccountService accounts, TokenService tokens, SessionService sessions,
            RoutingContext request) {
        this.caller = caller;
        this.accounts = accounts;
        this.tokens = tokens;
        this.sessions = sessions;
        this.request = request;
    }

    @GET
    public Me me() {
        Subject subject = subject();
        return Me.of(subject, subject.kind() == Subject.Kind.BREAK_GLASS ? null
                : accounts.user(tokens.owner(subject)));
    }

    @POST
    @Path("/password")
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(204)
    @APIResponse(responseCode = "204", description = "Changed; the account's other sessions end")
    @APIResponse(responseCode = "409", description = NO_ACCOUNT)
    @APIResponse(responseCode = "429", description = "Too many wrong current passwords (`sign_in_locked`); see "
            + "Retry-After")
    @APIResponse(responseCode = "503", description = "Too many password hashes at once (`password_hashing_busy`)")
    public void changePassword(@NotNull(message = "is required") @Valid PasswordChange body) {
        Subject subject = subject();
        UUID owner = tokens.owner(subject);
        UUID keep = subject.kind() == Subject.Kind.USER ? sessionSecret().flatMap(sessions::id).orElse(null) : null;
        accounts.changePassword(owner, body.currentPassword(), body.newPassword(), caller.actor(), keep);
    }

    @POST
    @Path("/tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(201)
    @APIResponseSchema(value = NewToken.class, responseCode = "201",
            responseDescription = "The token, shown this once, and what it may do")
    @APIResponse(responseCode = "409", description = NO_ACCOUNT + ", or the account already holds 100 live tokens "
            + "(`too_many_tokens`)")
    public NewToken createToken(@NotNull(message = "is required") @Valid NewTokenRequest body) {
        return tokens.create(subject(), body, caller.actor());
    }

    @GET
    @Path("/tokens")
    @APIResponse(responseCode = "200", description = "The account's tokens, revoked and expired ones too, oldest first")
    @APIResponse(responseCode = "409", description = NO_ACCOUNT)
    public List<TokenView> listTokens() {
        return tokens.list(tokens.owner(subject()));
    }

    @DELETE
    @Path("/tokens/{id}")
    @APIResponse(responseCode = "204", description = "Revoked (also when it already was)")
    @APIResponse(responseCode = "409", description = NO_ACCOUNT)
    public void revokeToken(@PathParam("id") String id) {
        UUID tokenId = Ids.pathId(id, "Token");
        tokens.revoke(tokens.owner(subject()), tokenId, caller.actor());
    }

    private Subject subject() {
        return caller.subject().orElseThrow();
    }

    private Optional<String> sessionSecret() {
        Cookie cookie = request.request().getCookie(SessionCookie.NAME);
        return cookie == null ? Optional.empty() : Optional.of(cookie.getValue());
    }
}
