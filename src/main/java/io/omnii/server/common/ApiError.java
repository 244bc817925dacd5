package io.omnii.server.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The one JSON body of every 4xx and 5xx answer. {@code error} is a stable machine-readable code,
 * {@code message} is for people, {@code violations} names the fields that failed validation.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@Schema(requiredProperties = { "status", "error", "message" })
public record ApiError(int status, String error, String message,
        @Schema(description = "Only for field errors") List<Violation> violations) {

    @Schema(requiredProperties = { "field", "message" })
    public record Violation(String field, String message) {
    }

    public ApiError(int status, String error, String message) {
        this(status, error, message, List.of());
    }
}
