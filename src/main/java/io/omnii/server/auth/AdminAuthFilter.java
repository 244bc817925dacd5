package io.omnii.server.auth;

import io.omnii.server.common.ApiError;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Requires the admin bearer token on every endpoint not marked {@link PublicEndpoint}: protected by default. */
public class AdminAuthFilter {

    private final AdminToken token;

    AdminAuthFilter(AdminToken token) {
        this.token = token;
    }

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request, ResourceInfo resource) {
        if (resource.getResourceMethod() == null
                || resource.getResourceMethod().isAnnotationPresent(PublicEndpoint.class)
                || token.authorizes(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            return Optional.empty();
        }
        return Optional.of(Response.status(401)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"omnii\"")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(401, "unauthorized", "A valid admin bearer token is required"))
                .build());
    }
}
