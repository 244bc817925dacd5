package io.omnii.server.auth;

import io.omnii.server.common.ApiError;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Security's refusals in the API's one error shape, instead of the framework's empty answers. */
public class SecurityErrorMappers {

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthenticated() {
        return Response.status(401)
                .header(HttpHeaders.WWW_AUTHENTICATE, RequestAuthentication.CHALLENGE)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(401, "unauthorized", "A valid bearer token is required"))
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
