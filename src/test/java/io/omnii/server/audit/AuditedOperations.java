package io.omnii.server.audit;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which audited action every state-changing operation of the API records: the one place that says it. The tests of
 * each action look their operation up here, and {@code everyStateChangingOperationRecordsAnAction} holds it against
 * the OpenAPI document.
 */
final class AuditedOperations {

    static final Map<String, AuditAction> ACTIONS = Map.ofEntries(
            Map.entry("POST /enrollment-codes", AuditAction.ENROLLMENT_CODE_CREATE),
            Map.entry("DELETE /enrollment-codes/{id}", AuditAction.ENROLLMENT_CODE_REVOKE),
            Map.entry("POST /enroll", AuditAction.INSTANCE_ENROLL),
            Map.entry("PATCH /instances/{id}", AuditAction.INSTANCE_UPDATE),
            Map.entry("DELETE /instances/{id}", AuditAction.INSTANCE_DECOMMISSION),
            Map.entry("POST /instances/{id}/credentials/rotate", AuditAction.INSTANCE_ROTATE_CREDENTIALS),
            Map.entry("POST /instances/{id}/commands", AuditAction.COMMAND_SEND),
            Map.entry("POST /commands", AuditAction.COMMAND_BULK_SEND),
            Map.entry("POST /matter/commissioning", AuditAction.MATTER_COMMISSION),
            Map.entry("DELETE /matter/nodes/{nodeId}", AuditAction.MATTER_NODE_REMOVE),
            Map.entry("POST /matter/nodes/{nodeId}/interview", AuditAction.MATTER_NODE_INTERVIEW),
            Map.entry("POST /matter/nodes/{nodeId}/ping", AuditAction.MATTER_NODE_PING),
            Map.entry("POST /matter/nodes/{nodeId}/commissioning-window", AuditAction.MATTER_NODE_OPEN_WINDOW),
            Map.entry("POST /matter/nodes/{nodeId}/commands", AuditAction.MATTER_NODE_COMMAND),
            Map.entry("PUT /matter/nodes/{nodeId}/attributes/{endpoint}/{cluster}/{attribute}",
                    AuditAction.MATTER_ATTRIBUTE_WRITE),
            Map.entry("PUT /matter/credentials/wifi", AuditAction.MATTER_CREDENTIALS_WIFI),
            Map.entry("PUT /matter/credentials/thread", AuditAction.MATTER_CREDENTIALS_THREAD));

    private static final Set<String> CHANGING = Set.of("post", "put", "patch", "delete");

    private AuditedOperations() {
    }

    /** Every POST, PUT, PATCH and DELETE the running server's OpenAPI document lists, as "METHOD /path". */
    static Set<String> stateChangingOperations() {
        JsonNode paths = admin().get("/q/openapi?format=json").then().statusCode(200).extract().as(JsonNode.class)
                .path("paths");
        Set<String> operations = new TreeSet<>();
        paths.fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            if (CHANGING.contains(method)) {
                operations.add(method.toUpperCase() + " " + path.getKey());
            }
        }));
        return operations;
    }

    /** The action an operation records; fails for one that is not in {@link #ACTIONS}. */
    static AuditAction of(String operation) {
        assertThat(ACTIONS).as("audited operations").containsKey(operation);
        return ACTIONS.get(operation);
    }

    /** The entries written since {@code head}: exactly one, of the operation's action, which it returns. */
    static JsonNode exactlyOne(AuditTable table, long head, String operation) {
        List<JsonNode> written = table.entriesAfter(head);
        assertThat(written).as("entries written by %s", operation).hasSize(1);
        assertThat(written.get(0).path("action").asText()).isEqualTo(of(operation).wire());
        return written.get(0);
    }
}
