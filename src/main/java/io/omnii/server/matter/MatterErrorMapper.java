package io.omnii.server.matter;

import io.omnii.server.common.ApiError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The Matter Server's error codes as HTTP answers; the table is in docs/matter.md. The message carries the server's
 * details (they name the node or the argument at fault), never our arguments, which may hold codes or passwords.
 */
public class MatterErrorMapper {

    /** An HTTP status and our error code for one Matter Server error code. */
    public record Mapping(int status, String error) {
    }

    public static Mapping mapping(int matterCode) {
        return switch (matterCode) {
            case MatterServerException.UNAVAILABLE -> new Mapping(503, "matter_server_unavailable");
            case MatterServerException.TIMEOUT -> new Mapping(504, "matter_server_timeout");
            case 1 -> new Mapping(502, "matter_commissioning_failed");
            case 2 -> new Mapping(502, "matter_interview_failed");
            case 3 -> new Mapping(409, "matter_node_not_ready");
            case 4 -> new Mapping(409, "matter_node_not_resolving");
            case 5 -> new Mapping(404, "not_found");
            case 6 -> new Mapping(502, "matter_version_mismatch");
            case 7 -> new Mapping(502, "matter_sdk_error");
            case 8 -> new Mapping(400, "matter_invalid_arguments");
            case 9 -> new Mapping(501, "matter_command_unsupported");
            case 10 -> new Mapping(502, "matter_update_check_failed");
            case 11 -> new Mapping(409, "matter_update_failed");
            case 100 -> new Mapping(409, "matter_icd_multi_admin");
            // 0 (UnknownError: on matterjs-server every matter.js failure, timeouts included) and codes we don't know
            default -> new Mapping(502, "matter_server_error");
        };
    }

    @ServerExceptionMapper
    public Response map(MatterServerException e) {
        Mapping mapping = mapping(e.errorCode());
        String message = e.errorCode() < 0 ? e.getMessage()
                : "The Matter Server answered error " + e.errorCode() + ": " + e.getMessage();
        return Response.status(mapping.status()).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(mapping.status(), mapping.error(), message)).build();
    }
}
