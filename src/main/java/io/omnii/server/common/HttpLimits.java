package io.omnii.server.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;

/**
 * The request's size limits, checked by the first route of the router, before RESTEasy or any other route sees the
 * request, and answered with the JSON error shape: a URI over {@value #MAX_URI_LENGTH} characters is a 414, headers
 * over {@value #MAX_HEADER_BYTES} bytes a 431, a body over {@value #MAX_BODY_BYTES} bytes a 413 (at once when it
 * has a Content-Length, as it arrives when it is chunked).
 * <p>
 * Vert.x's own limits (quarkus.http.limits.*) stay above these as backstops. It applies them while decoding the
 * request, before any route, and Quarkus 3.33 offers no hook there, so those answers have no body: that is why ours
 * are lower.
 */
@ApplicationScoped
public class HttpLimits {

    public static final int MAX_URI_LENGTH = 4096;
    public static final int MAX_HEADER_BYTES = 20 * 1024;
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** Ahead of every route Quarkus installs, its own body-size check (order -2) included. */
    static final int ORDER = -100;

    private final ObjectMapper mapper;
    /** Reads a chunked body, failing with 413 past the limit; RESTEasy then takes the body it read. */
    private final BodyHandler chunkedBody = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);

    HttpLimits(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::check).failureHandler(this::bodyTooLarge);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.uri().length() > MAX_URI_LENGTH) {
            refuse(ctx, new ApiError(414, "uri_too_long",
                    "The request URI is longer than " + MAX_URI_LENGTH + " characters"));
        } else if (headerBytes(request) > MAX_HEADER_BYTES) {
            refuse(ctx, new ApiError(431, "headers_too_large",
                    "The request headers are larger than " + MAX_HEADER_BYTES + " bytes"));
        } else if (contentLength(request) > MAX_BODY_BYTES) {
            refuse(ctx, tooLarge());
        } else if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            chunkedBody.handle(ctx);
        } else {
            ctx.next();
        }
    }

    /** The body handler's 413; any other failure goes on to the handlers after this one. */
    private void bodyTooLarge(RoutingContext ctx) {
        if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
            refuse(ctx, tooLarge());
        } else {
            ctx.next();
        }
    }

    private static ApiError tooLarge() {
        return new ApiError(413, "payload_too_large", "The request body is larger than " + MAX_BODY_BYTES + " bytes");
    }

    /** Names, values and the four bytes of ": " and CRLF on each line, as they came. */
    private static long headerBytes(HttpServerRequest request) {
        long bytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            bytes += header.getKey().length() + header.getValue().length() + 4;
        }
        return bytes;
    }

    /** The declared length; an unreadable one counts as too large, since nothing can be trusted about the body. */
    private static long contentLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Answers and closes: the rest of the request (its body, perhaps) is never read. */
    private void refuse(RoutingContext ctx, ApiError error) {
        String body;
        try {
            body = mapper.writeValueAsString(error);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ctx.response().setStatusCode(error.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
                .end(body);
    }
}
