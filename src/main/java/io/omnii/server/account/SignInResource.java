package io.omnii.server.account;

import io.omnii.server.account.AccountPayloads.SessionView;
import io.omnii.server.account.AccountPayloads.SignInRequest;
import io.omnii.server.account.SessionService.SignedIn;
import io.omnii.server.auth.BrowserSignIn;
import io.omnii.server.auth.Caller;
import io.omnii.server.auth.CsrfRefusedException;
import io.omnii.server.auth.SessionCookie;
import io.omnii.server.auth.Subject;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Roles;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;

/**
 * Browser sessions: sign in with a username and password (a form or JSON), sign out, and the session as the
 * console reads it. The cookie is HttpOnly, SameSite=Strict, Path=/, and Secure when the request came over HTTPS.
 */
@Path("/auth")
@Produces(MediaType.APPLICATION_JSON)
public class SignInResource {

    private final SessionService sessions;
    private final Caller caller;
    private final RoutingContext request;

    SignInResource(SessionService sessions, Caller caller, RoutingContext request) {
        this.sessions = sessions;
        this.caller = caller;
        this.request = request;
    }

    @PermitAll
    @SecurityRequirements // none: the password is the credential
    @POST
    @Path("/sign-in")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "Signed in: the session cookie is set; state-changing requests "
            + "made with it send csrfToken in X-CSRF-Token",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SessionView.class)))
    @APIResponse(responseCode = "401", description = "Wrong username or password, or a disabled user (one answer: "
            + "`invalid_credentials`)")
    @APIResponse(responseCode = "429", description = "Too many failed sign-ins for this username or from this address "
            + "(`sign_in_locked`, whatever was wrong); see Retry-After")
    @APIResponse(responseCode = "503", description = "Too many password hashes at once (`password_hashing_busy`)")
    @APIResponse(responseCode = "403", description = "Sent from another site (`csrf_failed`): Sec-Fetch-Site is "
            + "neither same-origin nor none, or, without it, Origin is not this server")
    public Response signIn(@NotNull(message = "is required") @Valid SignInRequest body) {
        BrowserSignIn.refuseCrossSite(request.request());
        SignedIn signedIn = sessions.signIn(body.username(), body.password(), caller.address(), caller.requestId());
        return Response.ok(signedIn.view()).header(HttpHeaders.SET_COOKIE, cookie(signedIn.secret())).build();
    }

    /** The console's form: on success 303 to {@code next} (a path on this server) or /; failures answer JSON. */
    @PermitAll
    @SecurityRequirements
    @POST
    @Path("/sign-in")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @APIResponse(responseCode = "303", description = "The form signed in: the cookie is set, and Location is the "
            + "form's `next` when it is a path on this server, else /")
    @APIResponse(responseCode = "403", description = "Sent from another site (`csrf_failed`): Sec-Fetch-Site is "
            + "neither same-origin nor none, or, without it, Origin is not this server")
    public Response signInForm(@FormParam("username") String username, @FormParam("password") String password,
            @FormParam("next") String next) {
        BrowserSignIn.refuseCrossSite(request.request());
        AccountPayloads.checkSignInForm(username, password);
        URI target = BrowserSignIn.redirectTarget(next, "/");
        SignedIn signedIn = sessions.signIn(username, password, caller.address(), caller.requestId());
        return Response.seeOther(target).header(HttpHeaders.SET_COOKIE, cookie(signedIn.secret()))
                .build();
    }

    /** Ends the cookie's session, if any, and clears the cookie. With a cookie, the CSRF token is required. */
    @PermitAll
    @SecurityRequirements // none: it ends the cookie's session, if any
    @POST
    @Path("/sign-out")
    @APIResponse(responseCode = "204", description = "Signed out (also when there was no session)")
    @APIResponse(responseCode = "403", description = "A session cookie without its X-CSRF-Token (`csrf_failed`)")
    public Response signOut() {
        Optional<String> secret = secret();
        if (secret.isPresent()) {
            if (!SessionCookie.csrfMatches(secret.get(), request.request().getHeader(SessionCookie.CSRF_HEADER))) {
                throw new CsrfRefusedException();
            }
            sessions.signOut(secret.get(), caller.address(), caller.requestId());
        }
        return Response.noContent().header(HttpHeaders.SET_COOKIE, clearedCookie()).build();
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/session")
    @APIResponse(responseCode = "200", description = "The session of the cookie the request was signed in with",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SessionView.class)))
    @APIResponse(responseCode = "404", description = "The request was not signed in with a session cookie")
    public SessionView session() {
        boolean byCookie = caller.subject().map(s -> s.kind() == Subject.Kind.USER).orElse(false)
                && request.request().getHeader(HttpHeaders.AUTHORIZATION) == null;
        return (byCookie ? secret().flatMap(sessions::view) : Optional.<SessionView>empty())
                .orElseThrow(() -> ApiException.notFound("Session"));
    }

    private Optional<String> secret() {
        return BrowserSignIn.secret(request.request());
    }

    private String cookie(String secret) {
        return BrowserSignIn.cookie(secret, request.request());
    }

    private String clearedCookie() {
        return BrowserSignIn.clearedCookie(request.request());
    }
}
