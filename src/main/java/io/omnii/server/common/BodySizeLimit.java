package io.omnii.server.common;

import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses request bodies over 64 KiB with the JSON error shape. Quarkus' own limit
 * (quarkus.http.limits.max-body-size) stays above this one as a backstop, because it answers before any of our
 * code runs and so without a JSON body.
 */
public class BodySizeLimit {

    public static final int MAX_BYTES = 64 * 1024;

    @ServerRequestFilter(preMatching = true)
    public void check(ContainerRequestContext request) {
        if (request.getLength() > MAX_BYTES) {
            throw new ApiException(413, "payload_too_large", "The request body is larger than " + MAX_BYTES + " bytes");
        }
    }
}
