package io.omnii.server.matter;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;

/**
 * Adds to /q/openapi what every operation relayed to the Matter Server can answer when the server refuses or fails
 * ({@link MatterErrorMapper}'s table). An operation says it is relayed with {@code @Extension(name = RELAYED)}; the
 * inventory reads, answered from PostgreSQL, say nothing. Every Matter operation also refuses a scoped caller
 * ({@link ScopedCallerRefusal}). Runs before the common filter, which gives these their body.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD, priority = 10)
public class MatterApiDocumentFilter implements OASFilter {

    /** The extension that marks a relayed operation; it stays in the document, for readers too. */
    public static final String RELAYED = "x-relayed-to-matter-server";

    private static final String TABLE = " (docs/matter.md maps each Matter Server error)";
    private static final Map<String, String> RELAYED_ERRORS = Map.of(
            "400", "The Matter Server found the arguments invalid (`matter_invalid_arguments`), the device refused a"
                    + " write for its value or target (`matter_write_refused`), or a field is invalid"
                    + " (`validation_failed`)",
            "409", "The node or the Matter Server cannot do it now (not ready, not resolving, an update in progress)"
                    + " or lacks the feature" + TABLE,
            "501", "The device does not support the command (`matter_command_unsupported`)",
            "502", "The Matter Server or the device failed" + TABLE,
            "503", "The Matter relay is off (`matter_relay_off`) or the Matter Server is unreachable"
                    + " (`matter_server_unavailable`)",
            "504", "No answer from the Matter Server in time (`matter_server_timeout`)");

    private static final String PATHS = "/matter";
    private static final String FORBIDDEN = "The credential's role may not do this (`forbidden`), or it is limited to"
            + " a scope (`" + ScopedCallerRefusal.CODE + "`): the Matter devices are the server's own, no customer's";

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getPaths() == null || api.getPaths().getPathItems() == null) {
            return;
        }
        api.getPaths().getPathItems().forEach((path, item) -> {
            if (path.equals(PATHS) || path.startsWith(PATHS + "/")) {
                item.getOperations().values().forEach(operation -> operation.getResponses()
                        .addAPIResponse("403", OASFactory.createAPIResponse().description(FORBIDDEN)));
            }
        });
    }

    @Override
    public Operation filterOperation(Operation operation) {
        if (operation.getExtensions() != null && operation.getExtensions().containsKey(RELAYED)) {
            RELAYED_ERRORS.forEach((code, description) -> {
                if (!operation.getResponses().hasAPIResponse(code)) {
                    operation.getResponses().addAPIResponse(code,
                            OASFactory.createAPIResponse().description(description));
                }
            });
        }
        return operation;
    }
}
