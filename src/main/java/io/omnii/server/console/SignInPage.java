package io.omnii.server.console;

import io.omnii.server.account.AccountPayloads;
import io.omnii.server.account.SessionService;
import io.omnii.server.account.SessionService.SignedIn;
import io.omnii.server.auth.BrowserSignIn;
import io.omnii.server.auth.Caller;
import io.omnii.server.auth.CsrfRefusedException;
import io.omnii.server.auth.SessionCookie;
import io.omnii.server.common.ApiException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * Signing in and out of the console. The page posts an ordinary form (it works before any script has loaded) and
 * answers its failures on the page itself; the session and the audit are {@link SessionService}'s, as for the API.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class SignInPage {

    static final String HOME = BrowserSignIn.CONSOLE;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance signIn(String next, String username, String error);
    }

    private final SessionService sessions;
    private final Caller caller;
    private final RoutingContext request;

    SignInPage(SessionService sessions, Caller caller, RoutingContext request) {
        this.sessions = sessions;
        this.caller = caller;
        this.request = request;
    }

    @PermitAll
    @GET
    @Path("/sign-in")
    public TemplateInstance page(@QueryParam("next") String next) {
        return Templates.signIn(safeNext(next), "", null);
    }

    @PermitAll
    @POST
    @Path("/sign-in")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signIn(@FormParam("username") String username, @FormParam("password") String password,
            @FormParam("next") String next) {
        String back = safeNext(next);
        String typed = username == null ? "" : username;
        try {
            BrowserSignIn.refuseCrossSite(request.request());
            AccountPayloads.checkSignInForm(typed, password);
            if (password.isEmpty()) { // the API's form lets it reach a 401; the page says what is missing
                throw ApiException.invalid("password", "is 1-256 characters");
            }
            SignedIn signedIn = sessions.signIn(typed, password, caller.address(), caller.requestId());
            return Response.seeOther(BrowserSignIn.redirectTarget(back, HOME))
                    .header(HttpHeaders.SET_COOKIE, BrowserSignIn.cookie(signedIn.secret(), request.request())).build();
        } catch (ApiException e) {
            Response.ResponseBuilder answer = Response.status(e.status())
                    .entity(Templates.signIn(back, typed.length() > AccountPayloads.FORM_USERNAME_MAX ? "" : typed, message(e)));
            if (e.retryAfterSeconds() != null) {
                answer.header("Retry-After", e.retryAfterSeconds());
            }
            return answer.build();
        }
    }

    /** Ends the session (the CSRF token is required, as for every change) and sends the browser to the sign-in page. */
    @PermitAll
    @POST
    @Path("/sign-out")
    public Response signOut() {
        Optional<String> secret = BrowserSignIn.secret(request.request());
        if (secret.isPresent()) {
            if (!SessionCookie.csrfMatches(secret.get(), request.request().getHeader(SessionCookie.CSRF_HEADER))) {
                throw new CsrfRefusedException();
            }
            sessions.signOut(secret.get(), caller.address(), caller.requestId());
        }
        return Response.noContent().header(HttpHeaders.SET_COOKIE, BrowserSignIn.clearedCookie(request.request()))
                .header("HX-Redirect", BrowserSignIn.PAGE).build();
    }

    private static String message(ApiException e) {
        return switch (e.status()) {
            case 400 -> "Enter a username (at most 64 characters) and a password (at most 256).";
            case 401 -> "Wrong username or password.";
            case 403 -> "Sign in from this server's own page.";
            case 429 -> "Too many attempts. Try again in " + e.retryAfterSeconds() + " s.";
            case 503 -> "The server is busy. Try again in a moment.";
            default -> e.getMessage();
        };
    }

    /** Only a path on this server is carried through the form; anything else becomes the fleet page. */
    private static String safeNext(String next) {
        return BrowserSignIn.redirectTarget(next, HOME).toString();
    }
}
