package io.omnii.server.matter;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.math.BigInteger;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What crosses our HTTP API for the Matter relay (docs/api.md). The Matter Server's own wire stays JSON trees. */
public final class MatterPayloads {

    private static final String SSID_RULE = "must be 1 to 32 bytes";
    private static final String DATASET_RULE = "must be the Active Operational Dataset as hex: an even number of hex"
            + " digits, at most 508";
    private static final String WINDOW_RULE = "must be between 180 and 900 (Matter's limits for a commissioning window)";
    private static final String ENDPOINT_RULE = "is required, 0 to 65534";
    private static final String CLUSTER_RULE = "is required, 0 to 4294967295";

    private MatterPayloads() {
    }

    /**
     * The connection, and the server info the Matter Server last sent (kept while it is away and across our
     * restarts) with when it came: current only while connected.
     */
    public record ServerView(boolean enabled, boolean connected, @Schema(nullable = true) Long since,
            @Schema(nullable = true) String lastError, @Schema(nullable = true) JsonNode info,
            @Schema(nullable = true) Long infoReceivedAt) {
    }

    /**
     * A node; attributes ("endpoint/cluster/attribute" to value) only when one node is asked for. available is null
     * while it is not known: from a lost connection to the Matter Server until its next snapshot.
     */
    public record NodeView(BigInteger nodeId, @Schema(nullable = true) Boolean available, boolean isBridge,
            @Schema(nullable = true) Integer vendorId, @Schema(nullable = true) String vendorName,
            @Schema(nullable = true) String productName, @Schema(nullable = true) String nodeLabel,
            @Schema(nullable = true) String softwareVersion, @Schema(nullable = true) String serialNumber,
            @Schema(nullable = true) String dateCommissioned, @Schema(nullable = true) String lastInterview,
            @Schema(nullable = true) JsonNode attributes) {
    }

    /** A node_event as the node sent it; data is keyed by field names. */
    public record NodeEventView(BigInteger nodeId, BigInteger eventNumber, int endpointId, long clusterId, long eventId,
            int priority, BigInteger timestamp, int timestampType, @Schema(nullable = true) JsonNode data,
            long receivedAt) {
    }

    /**
     * POST /matter/commissioning: either {@code code} (QR or manual pairing code) or {@code setupPinCode} (a device
     * already on the network, found by mDNS, optionally narrowed by a filter or an address).
     */
    @CommissioningArguments
    public record CommissioningRequest(String code, Boolean networkOnly, Long setupPinCode, Integer filterType,
            JsonNode filter, String ipAddress, String wifiCredentialsId, String threadDatasetId) {
    }

    /** One commissioning attempt and its outcome; nodeId once it succeeded. */
    public record CommissioningView(UUID id, String method, boolean networkOnly, String state,
            @Schema(nullable = true) BigInteger nodeId, @Schema(nullable = true) Integer errorCode,
            @Schema(nullable = true) String error, long createdAt, @Schema(nullable = true) Long finishedAt,
            @Schema(nullable = true) Long durationMs) {
    }

    /** PUT /matter/credentials/wifi; {@code id} names the entry on servers that keep several (schema 12). */
    public record WifiCredentialsRequest(@NotNull(message = SSID_RULE) @Utf8Bytes(min = 1, max = 32) String ssid,
            @NotNull(message = "is required (empty for an open network)")
            @Size(max = 64, message = "must be at most 64 characters") String password,
            @Pattern(regexp = MatterRelay.CREDENTIAL_ID, message = MatterRelay.CREDENTIAL_ID_RULE) String id) {
    }

    /** PUT /matter/credentials/thread: the Active Operational Dataset TLVs in hex. */
    public record ThreadDatasetRequest(
            // Blanks around it are dropped before it is sent (strip(): what javaWhitespace matches).
            @NotNull(message = DATASET_RULE)
            @Pattern(regexp = "\\p{javaWhitespace}*(\\p{XDigit}{2}){1,254}\\p{javaWhitespace}*",
                    message = DATASET_RULE) String dataset,
            @Pattern(regexp = MatterRelay.CREDENTIAL_ID, message = MatterRelay.CREDENTIAL_ID_RULE) String id) {
    }

    /** POST /matter/nodes/{id}/commissioning-window. */
    public record CommissioningWindowRequest(
            @Min(value = 180, message = WINDOW_RULE) @Max(value = 900, message = WINDOW_RULE) Integer timeoutSeconds,
            @Min(value = 0, message = "must be between 0 and 4095") @Max(value = 4095,
                    message = "must be between 0 and 4095") Integer discriminator) {
    }

    /** The codes another ecosystem needs to join the node while its window is open. */
    public record PairingCodes(long setupPinCode, String setupManualCode, @Schema(nullable = true) String setupQrCode) {
    }

    /** POST /matter/nodes/{id}/commands: a cluster command by its CHIP SDK name, payload keyed by field names. */
    public record DeviceCommandRequest(
            @NotNull(message = ENDPOINT_RULE) @Min(value = 0, message = ENDPOINT_RULE)
            @Max(value = 65534, message = ENDPOINT_RULE) Integer endpointId,
            @NotNull(message = CLUSTER_RULE) @Min(value = 0, message = CLUSTER_RULE)
            @Max(value = 0xFFFF_FFFFL, message = CLUSTER_RULE) Long clusterId,
            @NotNull(message = MatterRelay.COMMAND_NAME_RULE)
            @Pattern(regexp = "[A-Za-z][A-Za-z0-9]{0,63}", message = MatterRelay.COMMAND_NAME_RULE) String commandName,
            @JsonObject(message = "must be an object keyed by the command's field names") JsonNode payload,
            @Min(value = 1, message = "must be between 1 and 60000")
            @Max(value = 60_000, message = "must be between 1 and 60000") Integer timedRequestTimeoutMs,
            @Min(value = 1, message = "must be between 1 and 600000")
            @Max(value = 600_000, message = "must be between 1 and 600000") Integer interactionTimeoutMs) {
    }

    /** The device's response to a command (null for commands without one). */
    public record DeviceCommandResult(@Schema(nullable = true) JsonNode response) {
    }

    /** PUT /matter/nodes/{id}/attributes/{endpoint}/{cluster}/{attribute}. */
    public record WriteAttributeRequest(@NotNull(message = MatterRelay.VALUE_RULE) JsonNode value) {
    }

    /** The Interaction Model status of one written attribute (0 is success). */
    public record WriteResult(int endpointId, long clusterId, long attributeId, int status) {
    }

    /** GET /matter/nodes/{id}/ip-addresses. */
    public record IpAddresses(List<String> addresses) {
    }
}
