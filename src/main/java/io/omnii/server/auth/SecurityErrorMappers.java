package io.omnii.server.auth;

import io.omnii.server.common.ApiError;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Security's refusals in the API's one error shape, instead of the framework's empty answers. */
public class SecurityErrorMappers {

    private static final String HX_REQUEST = "HX-Request";
    private static final String HX_REDIRECT = "HX-Redirect";

    /**
     * 401 in the error shape; a browser without a session is sent to the console's sign-in page instead: a page it
     * navigated to answers 303 there (coming back afterwards), an htmx request 401 with {@code HX-Redirect}.
     */
    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthenticated(ContainerRequestContext request) {
        String path = request.getUriInfo().getRequestUri().getRawPath();
        if (path.startsWith(BrowserSignIn.CONSOLE)) {
            if (request.getHeaderString(HX_REQUEST) != null) {
                return Response.status(401).header(HX_REDIRECT, BrowserSignIn.PAGE).build();
            }
            if (HttpMethod.GET.equals(request.getMethod())) {
                String query = request.getUriInfo().getRequestUri().getRawQuery();
                String back = query == null ? path : path + "?" + query;
                return Response.seeOther(UriBuilder.fromPath(BrowserSignIn.PAGE).queryParam("next", "{next}")
                        .build(back)).build();
            }
        }
        return Response.status(401)
                .header(HttpHeaders.WWW_AUTHENTICATE, RequestAuthentication.CHALLENGE)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(401, "unauthorized", "A valid bearer token or session is required"))
                .build();
    }

    @ServerExceptionMapper
    public Response csrfRefused(CsrfRefusedException e) {
        return Response.status(403)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(403, "csrf_failed", "A request signed in by cookie needs the session's "
                        + SessionCookie.CSRF_HEADER + " header"))
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return Response.status(403)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(403, "forbidden", "Your role may not do this"))
                .build();
    }
}
