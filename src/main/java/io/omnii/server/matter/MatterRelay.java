package io.omnii.server.matter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Validation;
import io.omnii.server.matter.MatterPayloads.CommissioningWindowRequest;
import io.omnii.server.matter.MatterPayloads.DeviceCommandRequest;
import io.omnii.server.matter.MatterPayloads.DeviceCommandResult;
import io.omnii.server.matter.MatterPayloads.IpAddresses;
import io.omnii.server.matter.MatterPayloads.PairingCodes;
import io.omnii.server.matter.MatterPayloads.ThreadDatasetRequest;
import io.omnii.server.matter.MatterPayloads.WifiCredentialsRequest;
import io.omnii.server.matter.MatterPayloads.WriteAttributeRequest;
import io.omnii.server.matter.MatterPayloads.WriteResult;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Singleton;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Node operations and network credentials, relayed to the Matter Server: arguments checked here (a bad one is a
 * 400 before anything else, the relay being off included), then the node checked against the inventory (an unknown
 * one is a 404), then the server's answer or error code handed back (MatterErrorMapper). Nothing here blocks a
 * thread while the server works.
 */
@Singleton
public class MatterRelay {

    /** The highest unsigned 64-bit node id. */
    private static final BigInteger MAX_NODE_ID = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final Pattern CREDENTIAL_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    static final String CREDENTIAL_ID_RULE = "must be 1 to 64 letters, digits, '.', '_' or '-'";
    private static final Pattern HEX = Pattern.compile("(\\p{XDigit}{2}){1,254}");
    private static final Pattern ATTRIBUTE_PATH = Pattern.compile("(\\d{1,10}|\\*)/(\\d{1,10}|\\*)/(\\d{1,10}|\\*)");
    private static final Pattern COMMAND_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");
    private static final int MAX_READ_PATHS = 50;
    /** Interaction Model statuses by which a device refuses a write for what it asks, not for failing itself. */
    private static final Map<Integer, String> REQUEST_REFUSALS = Map.of(
            0x7E, "UNSUPPORTED_ACCESS", 0x7F, "UNSUPPORTED_ENDPOINT", 0x86, "UNSUPPORTED_ATTRIBUTE",
            0x87, "CONSTRAINT_ERROR", 0x88, "UNSUPPORTED_WRITE", 0x8D, "INVALID_DATA_TYPE", 0x9D, "ACCESS_RESTRICTED",
            0xC3, "UNSUPPORTED_CLUSTER", 0xC6, "NEEDS_TIMED_INTERACTION");

    private final MatterClient client;
    private final MatterConfig config;
    private final MatterInventory inventory;
    private final ObjectMapper mapper;

    MatterRelay(MatterClient client, MatterConfig config, MatterInventory inventory, ObjectMapper mapper) {
        this.client = client;
        this.config = config;
        this.inventory = inventory;
        this.mapper = mapper;
    }

    /** A node id from a path: an unsigned 64-bit decimal, or the node does not exist. */
    public static BigInteger nodeId(String text) {
        try {
            BigInteger id = new BigInteger(text);
            if (id.signum() >= 0 && id.compareTo(MAX_NODE_ID) <= 0) {
                return id;
            }
        } catch (NumberFormatException | NullPointerException e) {
            // falls through to 404
        }
        throw ApiException.notFound("Matter node");
    }

    /** The name of a Wi-Fi or Thread credential entry on a server that keeps several (schema 12). */
    static boolean credentialId(String id) {
        return CREDENTIAL_ID.matcher(id).matches();
    }

    /** 503 when no Matter Server is configured: nothing can be relayed. Checked after our own checks of the input. */
    public void requireRelay() {
        if (!client.enabled()) {
            throw new ApiException(503, "matter_relay_off", "The Matter relay is off: omnii.matter.url is not set");
        }
    }

    /**
     * Schema 12 of matterjs-server keeps several named credentials; python-matter-server reports schema 11 and
     * a CHIP version, so both conditions are needed (PROTOCOL.md section 8).
     */
    public boolean namedCredentials() {
        JsonNode info = client.state().serverInfo();
        return info != null && info.path("schema_version").asInt() >= 12
                && info.path("sdk_version").asText().startsWith("matter-server/");
    }

    void requireNamedCredentials(String field, String value) {
        if (value != null && !namedCredentials()) {
            throw new ApiException(409, "matter_feature_unsupported", "The Matter Server does not keep named "
                    + "credentials (needs matterjs-server, schema 12): leave out " + field);
        }
    }

    public Uni<Void> setWifiCredentials(WifiCredentialsRequest request) {
        if (request == null) {
            throw ApiException.invalid("ssid", "is required");
        }
        String ssid = request.ssid();
        int ssidBytes = ssid == null ? 0 : ssid.getBytes(StandardCharsets.UTF_8).length;
        new Validation()
                .check(ssidBytes >= 1 && ssidBytes <= 32, "ssid", "must be 1 to 32 bytes")
                .check(request.password() != null, "password", "is required (empty for an open network)")
                .check(request.password() == null || request.password().length() <= 64, "password",
                        "must be at most 64 characters")
                .check(request.id() == null || credentialId(request.id()), "id", CREDENTIAL_ID_RULE)
                .throwIfInvalid();
        requireRelay();
        requireNamedCredentials("id", request.id());
        ObjectNode args = mapper.createObjectNode().put("ssid", ssid).put("credentials", request.password());
        if (request.id() != null) {
            args.put("id", request.id());
        }
        return send("set_wifi_credentials", args, config.commandTimeout()).replaceWithVoid();
    }

    public Uni<Void> setThreadDataset(ThreadDatasetRequest request) {
        String dataset = request == null || request.dataset() == null ? null : request.dataset().strip();
        new Validation()
                .check(dataset != null && HEX.matcher(dataset).matches(), "dataset",
                        "must be the Active Operational Dataset as hex: an even number of hex digits, at most 508")
                .check(request == null || request.id() == null || credentialId(request.id()), "id",
                        CREDENTIAL_ID_RULE)
                .throwIfInvalid();
        requireRelay();
        requireNamedCredentials("id", request.id());
        ObjectNode args = mapper.createObjectNode().put("dataset", dataset);
        if (request.id() != null) {
            args.put("id", request.id());
        }
        return send("set_thread_dataset", args, config.commandTimeout()).replaceWithVoid();
    }

    /** Re-reads every attribute of the node; a node_updated follows. */
    public Uni<Void> interview(BigInteger nodeId) {
        return send(nodeId, "interview_node", node(nodeId), config.interviewTimeout()).replaceWithVoid();
    }

    /** Takes the node off the fabric; it is gone from the inventory when this completes. */
    public Uni<Void> remove(BigInteger nodeId) {
        return send(nodeId, "remove_node", node(nodeId), config.commandTimeout())
                .onItem().transformToUni(result -> Uni.createFrom().item(() -> {
                    inventory.forget(nodeId); // the node_removed event does it too, but the caller may ask at once
                    return result;
                }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .replaceWithVoid();
    }

    /** Each of the node's addresses and whether it answered. */
    public Uni<JsonNode> ping(BigInteger nodeId) {
        return send(nodeId, "ping_node", node(nodeId), config.commandTimeout());
    }

    public Uni<IpAddresses> ipAddresses(BigInteger nodeId, boolean preferCache, boolean scoped) {
        ObjectNode args = node(nodeId).put("prefer_cache", preferCache).put("scoped", scoped);
        return send(nodeId, "get_node_ip_addresses", args, config.commandTimeout()).map(result -> {
            List<String> addresses = new ArrayList<>();
            result.forEach(a -> addresses.add(a.asText()));
            return new IpAddresses(addresses);
        });
    }

    /** Opens a commissioning window so that another ecosystem can join the node; the codes are for sharing. */
    public Uni<PairingCodes> openCommissioningWindow(BigInteger nodeId, CommissioningWindowRequest request) {
        Integer timeout = request == null ? null : request.timeoutSeconds();
        Integer discriminator = request == null ? null : request.discriminator();
        new Validation()
                .check(timeout == null || (timeout >= 180 && timeout <= 900), "timeoutSeconds",
                        "must be between 180 and 900 (Matter's limits for a commissioning window)")
                .check(discriminator == null || (discriminator >= 0 && discriminator <= 4095), "discriminator",
                        "must be between 0 and 4095")
                .throwIfInvalid();
        ObjectNode args = node(nodeId).put("timeout", timeout == null ? 300 : timeout);
        if (discriminator != null) {
            args.put("discriminator", discriminator);
        }
        return send(nodeId, "open_commissioning_window", args, config.commandTimeout()).map(result -> new PairingCodes(
                result.path("setup_pin_code").asLong(), result.path("setup_manual_code").asText(null),
                result.path("setup_qr_code").asText(null)));
    }

    public Uni<DeviceCommandResult> deviceCommand(BigInteger nodeId, DeviceCommandRequest request) {
        if (request == null) {
            throw ApiException.invalid("commandName", "is required");
        }
        JsonNode payload = request.payload();
        new Validation()
                .check(request.endpointId() != null && request.endpointId() >= 0 && request.endpointId() <= 65534,
                        "endpointId", "is required, 0 to 65534")
                .check(request.clusterId() != null && request.clusterId() >= 0 && request.clusterId() <= 0xFFFF_FFFFL,
                        "clusterId", "is required, 0 to 4294967295")
                .check(request.commandName() != null && COMMAND_NAME.matcher(request.commandName()).matches(),
                        "commandName", "is required: the CHIP SDK's command name, such as On or MoveToLevel")
                .check(payload == null || payload.isNull() || payload.isObject(), "payload",
                        "must be an object keyed by the command's field names")
                .check(request.timedRequestTimeoutMs() == null
                        || (request.timedRequestTimeoutMs() >= 1 && request.timedRequestTimeoutMs() <= 60_000),
                        "timedRequestTimeoutMs", "must be between 1 and 60000")
                .check(request.interactionTimeoutMs() == null
                        || (request.interactionTimeoutMs() >= 1 && request.interactionTimeoutMs() <= 600_000),
                        "interactionTimeoutMs", "must be between 1 and 600000")
                .throwIfInvalid();
        ObjectNode args = node(nodeId).put("endpoint_id", request.endpointId()).put("cluster_id", request.clusterId())
                .put("command_name", request.commandName());
        args.set("payload", payload == null || payload.isNull() ? mapper.createObjectNode() : payload);
        if (request.timedRequestTimeoutMs() != null) {
            args.put("timed_request_timeout_ms", request.timedRequestTimeoutMs());
        }
        if (request.interactionTimeoutMs() != null) {
            args.put("interaction_timeout_ms", request.interactionTimeoutMs());
        }
        return send(nodeId, "device_command", args, config.commandTimeout())
                .map(result -> new DeviceCommandResult(result.isMissingNode() ? null : result));
    }

    /** Reads from the device (not the inventory); paths may use '*' per segment. */
    public Uni<JsonNode> readAttributes(BigInteger nodeId, List<String> paths) {
        List<String> given = paths == null ? List.of() : paths;
        new Validation()
                .check(!given.isEmpty() && given.size() <= MAX_READ_PATHS, "path",
                        "give 1 to " + MAX_READ_PATHS + " attribute paths")
                .check(given.stream().allMatch(p -> p != null && ATTRIBUTE_PATH.matcher(p).matches()), "path",
                        "each must be endpoint/cluster/attribute in decimal, '*' allowed per segment")
                .throwIfInvalid();
        ObjectNode args = node(nodeId);
        if (given.size() == 1) {
            args.put("attribute_path", given.get(0));
        } else {
            given.forEach(args.putArray("attribute_path")::add);
        }
        return send(nodeId, "read_attribute", args, config.commandTimeout());
    }

    /** Writes one attribute; any status but success is an error, with the device's status code. */
    public Uni<List<WriteResult>> writeAttribute(BigInteger nodeId, String endpoint, String cluster, String attribute,
            WriteAttributeRequest request) {
        String path = endpoint + "/" + cluster + "/" + attribute;
        new Validation()
                .check(path.matches("\\d{1,10}/\\d{1,10}/\\d{1,10}"), "path",
                        "must be endpoint/cluster/attribute in decimal")
                .check(request != null && request.value() != null, "value", "is required (null writes null)")
                .throwIfInvalid();
        ObjectNode args = node(nodeId).put("attribute_path", path);
        args.set("value", request.value());
        return send(nodeId, "write_attribute", args, config.commandTimeout()).map(MatterRelay::writeResults)
                .map(MatterRelay::requireWritten);
    }

    /**
     * The results when every status is success; otherwise the refusal: a 400 when each status says the write does
     * not fit the device (it lacks the attribute, the attribute is read-only, the value is of the wrong type or out
     * of range), a 502 when the device failed (FAILURE, BUSY, RESOURCE_EXHAUSTED, ...).
     */
    private static List<WriteResult> requireWritten(List<WriteResult> results) {
        List<WriteResult> refused = results.stream().filter(r -> r.status() != 0).toList();
        if (refused.isEmpty()) {
            return results;
        }
        boolean requestAtFault = refused.stream().allMatch(r -> REQUEST_REFUSALS.containsKey(r.status()));
        List<String> statuses = refused.stream().map(r -> r.endpointId() + "/" + r.clusterId() + "/" + r.attributeId()
                + " status " + r.status() + " " + REQUEST_REFUSALS.getOrDefault(r.status(), "(a failure)")).toList();
        throw new ApiException(requestAtFault ? 400 : 502, "matter_write_refused", "The device refused the write: "
                + String.join(", ", statuses) + " (Interaction Model status codes)");
    }

    /** Write results come as Path/Status with EndpointId... (CHIP names) or path/status with endpoint_id... */
    static List<WriteResult> writeResults(JsonNode result) {
        List<WriteResult> results = new ArrayList<>();
        for (JsonNode r : result) {
            JsonNode path = r.has("Path") ? r.path("Path") : r.path("path");
            results.add(new WriteResult(
                    either(path, "EndpointId", "endpoint_id").asInt(),
                    either(path, "ClusterId", "cluster_id").asLong(),
                    either(path, "AttributeId", "attribute_id").asLong(),
                    either(r, "Status", "status").asInt()));
        }
        return results;
    }

    private static JsonNode either(JsonNode node, String name, String otherName) {
        return node.has(name) ? node.path(name) : node.path(otherName);
    }

    private ObjectNode node(BigInteger nodeId) {
        return mapper.createObjectNode().put("node_id", nodeId);
    }

    private Uni<JsonNode> send(String command, ObjectNode args, Duration timeout) {
        return Uni.createFrom().completionStage(() -> client.send(command, args, timeout));
    }

    /**
     * A node the Matter Server never had is a 404 from the inventory, not a question for the server:
     * python-matter-server would answer NodeNotReady (3, a 409) for it.
     */
    private Uni<JsonNode> send(BigInteger nodeId, String command, ObjectNode args, Duration timeout) {
        requireRelay();
        if (!inventory.knows(nodeId)) {
            throw ApiException.notFound("Matter node");
        }
        return send(command, args, timeout);
    }
}
