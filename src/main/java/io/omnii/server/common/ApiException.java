package io.omnii.server.common;

import java.util.List;

/** A failure the client can act on; mapped to {@link ApiError} with its status. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final List<ApiError.Violation> violations;
    private final Long retryAfterSeconds;

    public ApiException(int status, String code, String message) {
        this(status, code, message, List.of(), null);
    }

    private ApiException(int status, String code, String message, List<ApiError.Violation> violations,
            Long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.violations = violations;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException invalid(List<ApiError.Violation> violations) {
        return new ApiException(400, "validation_failed", "The request has invalid fields", violations, null);
    }

    public static ApiException invalid(String field, String message) {
        return invalid(List.of(new ApiError.Violation(field, message)));
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", what + " not found");
    }

    public static ApiException tooManyRequests(long retryAfterSeconds) {
        return new ApiException(429, "too_many_attempts", "Too many failed attempts; retry later", List.of(),
                retryAfterSeconds);
    }

    /** A refusal that ends after a while: the answer carries Retry-After. */
    public static ApiException retryLater(int status, String code, String message, long retryAfterSeconds) {
        return new ApiException(status, code, message, List.of(), retryAfterSeconds);
    }

    public int status() {
        return status;
    }

    public ApiError toError() {
        return new ApiError(status, code, getMessage(), violations);
    }

    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
