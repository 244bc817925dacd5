package io.omnii.server.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.logging.Log;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.hibernate.exception.JDBCConnectionException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into the one {@link ApiError} shape; no stack trace ever reaches a client. */
public class ErrorMappers {

    /** How long a client should wait before retrying while the database is away: about one PostgreSQL restart. */
    static final int DATABASE_RETRY_AFTER_SECONDS = 5;
    /** PostgreSQL's admin_shutdown, crash_shutdown and cannot_connect_now: a restart under way. */
    private static final Set<String> SERVER_GOING_AWAY = Set.of("57P01", "57P02", "57P03");

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response.ResponseBuilder builder = json(e.toError());
        if (e.retryAfterSeconds() != null) {
            builder.header("Retry-After", e.retryAfterSeconds());
        }
        return builder.build();
    }

    /**
     * Bean Validation's answer in our shape: each violation named by its wire field (the query parameter, or the
     * body's field path), the same message once even if several list elements broke it. A violation of a return
     * value is our bug, not the client's.
     */
    @ServerExceptionMapper
    public Response violations(ConstraintViolationException e) {
        if (e.getConstraintViolations().stream().anyMatch(ErrorMappers::ofReturnValue)) {
            return unexpected(e);
        }
        List<ApiError.Violation> violations = e.getConstraintViolations().stream()
                .map(v -> new ApiError.Violation(field(v.getPropertyPath()), v.getMessage())).distinct()
                .sorted(Comparator.comparing(ApiError.Violation::field).thenComparing(ApiError.Violation::message))
                .toList();
        return json(ApiException.invalid(violations).toError()).build();
    }

    private static boolean ofReturnValue(ConstraintViolation<?> v) {
        for (Path.Node node : v.getPropertyPath()) {
            if (node.getKind() == ElementKind.RETURN_VALUE) {
                return true;
            }
        }
        return false;
    }

    /**
     * The wire name of what broke a constraint: the properties below the method's parameter (a body's fields, a
     * bean parameter's query parameters, named as on the wire), else the parameter itself (its Java name is the
     * wire name; a body parameter is called body).
     */
    static String field(Path path) {
        List<String> properties = new ArrayList<>();
        String parameter = "body";
        for (Path.Node node : path) {
            if (node.getKind() == ElementKind.PARAMETER) {
                parameter = node.getName();
            } else if (node.getKind() == ElementKind.PROPERTY) {
                properties.add(node.getName());
            }
        }
        return properties.isEmpty() ? parameter : String.join(".", properties);
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return json(jsonError(e)).build();
    }

    // Quarkus' own mapper for this type answers 400 without a body; ours names the field.
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e) {
        return json(jsonError(e)).build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException jpe) {
            return json(jsonError(jpe)).build();
        }
        int status = e.getResponse().getStatus();
        Response.ResponseBuilder builder = json(new ApiError(status, codeFor(status), messageFor(status)));
        // Keep what the framework says about the answer (Allow on 405, WWW-Authenticate on 401).
        e.getResponse().getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type") && !name.equalsIgnoreCase("Content-Length")) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        return builder.build();
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (lostDatabase(e)) {
            // Not a bug and not the client's fault: PostgreSQL is restarting or out of reach, and a retry will do.
            Log.warnf("Database unavailable: %s", e.getMessage());
            return json(new ApiError(503, "database_unavailable",
                    "The database is unavailable; retry shortly")).header("Retry-After", DATABASE_RETRY_AFTER_SECONDS)
                    .build();
        }
        Log.errorf(e, "Unhandled error");
        return json(new ApiError(500, "internal_error", "An unexpected error occurred")).build();
    }

    /**
     * Whether the failure is a lost or unreachable database, wherever it sits among the causes (Hibernate, the
     * transaction manager and the pool each wrap it): a connection exception (SQLState class 08), the server shutting
     * down or starting up (57P01-57P03), a transient connection failure, or the pool giving up waiting for a
     * connection (Agroal says so only in its message).
     */
    static boolean lostDatabase(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JDBCConnectionException || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || SERVER_GOING_AWAY.contains(state))) {
                    return true;
                }
                String message = sql.getMessage();
                if (message != null && message.toLowerCase(Locale.ROOT).contains("acquisition timeout")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ApiError jsonError(JsonProcessingException e) {
        if (e instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
            String field = jme.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                    .collect(Collectors.joining("."));
            String message = e instanceof InvalidFormatException || e instanceof MismatchedInputException
                    ? "has the wrong type or format"
                    : "is invalid";
            return new ApiError(400, "validation_failed", "The request has invalid fields",
                    List.of(new ApiError.Violation(field, message)));
        }
        return new ApiError(400, "malformed_json", "The request body is not valid JSON for this endpoint");
    }

    static Response.ResponseBuilder json(ApiError error) {
        return Response.status(error.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(error);
    }

    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "http_" + status;
        };
    }

    private static String messageFor(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        return known != null ? known.getReasonPhrase() : ("HTTP " + status).toLowerCase(Locale.ROOT);
    }
}
