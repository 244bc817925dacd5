package io.omnii.server.account;

import io.omnii.server.account.AccountPayloads.NewPassword;
import io.omnii.server.account.AccountPayloads.NewUser;
import io.omnii.server.account.AccountPayloads.NewUserRequest;
import io.omnii.server.account.AccountPayloads.TokenView;
import io.omnii.server.account.AccountPayloads.UserPatch;
import io.omnii.server.account.AccountPayloads.UserView;
import io.omnii.server.auth.Caller;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.ResponseStatus;

/** The admin's view of users and their tokens. */
@Path("/users")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class UserResource {

    private final AccountService accounts;
    private final TokenService tokens;
    private final Caller caller;

    UserResource(AccountService accounts, TokenService tokens, Caller caller) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.caller = caller;
    }

    @GET
    public Page<UserView> list(@BeanParam @Valid Page.Params paging) {
        return accounts.list(paging.request());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(201)
    @APIResponseSchema(value = NewUser.class, responseCode = "201",
            responseDescription = "The user; with the password the server made when the request had none, shown this once")
    @APIResponse(responseCode = "409", description = "The username is taken, whatever its case (`username_taken`)")
    @APIResponse(responseCode = "503", description = "Too many password hashes at once (`password_hashing_busy`)")
    public NewUser create(@NotNull(message = "is required") @Valid NewUserRequest body) {
        return accounts.create(body, caller.actor());
    }

    @GET
    @Path("/{id}")
    public UserView get(@PathParam("id") String id) {
        return accounts.get(Ids.pathId(id, "User"));
    }

    @PATCH
    @Path("/{id}")
    @Consumes({ MediaType.APPLICATION_JSON, "application/merge-patch+json" })
    @APIResponse(responseCode = "200", description = "The user as changed")
    @APIResponse(responseCode = "409", description = "It would leave no enabled admin (`last_admin`)")
    public UserView update(@PathParam("id") String id, @NotNull(message = "is required") @Valid UserPatch body) {
        return accounts.update(Ids.pathId(id, "User"), body, caller.actor());
    }

    @POST
    @Path("/{id}/password")
    @APIResponse(responseCode = "200", description = "A new password, shown this once; the user's sessions end")
    @APIResponse(responseCode = "503", description = "Too many password hashes at once (`password_hashing_busy`)")
    public NewPassword resetPassword(@PathParam("id") String id) {
        return accounts.resetPassword(Ids.pathId(id, "User"), caller.actor());
    }

    @GET
    @Path("/{id}/tokens")
    public List<TokenView> tokens(@PathParam("id") String id) {
        return tokens.list(Ids.pathId(id, "User"));
    }

    @DELETE
    @Path("/{id}/tokens/{tokenId}")
    @APIResponse(responseCode = "204", description = "Revoked (also when it already was)")
    public void revokeToken(@PathParam("id") String id, @PathParam("tokenId") String tokenId) {
        tokens.revoke(Ids.pathId(id, "User"), Ids.pathId(tokenId, "Token"), caller.actor());
    }
}
