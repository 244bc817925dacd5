package io.omnii.server.common;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.lang.reflect.Method;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A body sent to a JSON endpoint must say it is JSON: without a Content-Type it is a 415. RESTEasy matches a request
 * that has no Content-Type to any {@code @Consumes} and reads the body as JSON anyway; a wrong Content-Type it already
 * refuses with 415 itself. A request without a body needs no Content-Type: POST /enrollment-codes takes none.
 */
public class JsonContentType {

    private static final String TRANSFER_ENCODING = "Transfer-Encoding";

    @ServerRequestFilter(priority = Priorities.USER + 100) // after the admin token check: a stranger gets a 401
    public void require(ContainerRequestContext request, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (method == null || request.getMediaType() != null || !hasBody(request)) {
            return;
        }
        if (method.isAnnotationPresent(Consumes.class)
                || resource.getResourceClass().isAnnotationPresent(Consumes.class)) {
            throw new ApiException(415, "unsupported_media_type", "The body must be sent as application/json");
        }
    }

    private static boolean hasBody(ContainerRequestContext request) {
        return request.getLength() > 0 || request.getHeaderString(TRANSFER_ENCODING) != null;
    }
}
