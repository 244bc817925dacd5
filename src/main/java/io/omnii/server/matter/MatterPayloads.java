package io.omnii.server.matter;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What crosses our HTTP API for the Matter relay (docs/api.md). The Matter Server's own wire stays JSON trees. */
public final class MatterPayloads {

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
    public record WifiCredentialsRequest(String ssid, String password, String id) {
    }

    /** PUT /matter/credentials/thread: the Active Operational Dataset TLVs in hex. */
    public record ThreadDatasetRequest(String dataset, String id) {
    }

    /** POST /matter/nodes/{id}/commissioning-window. */
    public record CommissioningWindowRequest(Integer timeoutSeconds, Integer discriminator) {
    }

    /** The codes another ecosystem needs to join the node while its window is open. */
    public record PairingCodes(long setupPinCode, String setupManualCode, @Schema(nullable = true) String setupQrCode) {
    }

    /** POST /matter/nodes/{id}/commands: a cluster command by its CHIP SDK name, payload keyed by field names. */
    public record DeviceCommandRequest(Integer endpointId, Long clusterId, String commandName, JsonNode payload,
            Integer timedRequestTimeoutMs, Integer interactionTimeoutMs) {
    }

    /** The device's response to a command (null for commands without one). */
    public record DeviceCommandResult(@Schema(nullable = true) JsonNode response) {
    }

    /** PUT /matter/nodes/{id}/attributes/{endpoint}/{cluster}/{attribute}. */
    public record WriteAttributeRequest(JsonNode value) {
    }

    /** The Interaction Model status of one written attribute (0 is success). */
    public record WriteResult(int endpointId, long clusterId, long attributeId, int status) {
    }

    /** GET /matter/nodes/{id}/ip-addresses. */
    public record IpAddresses(List<String> addresses) {
    }
}
