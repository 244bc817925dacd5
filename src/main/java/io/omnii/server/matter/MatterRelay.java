package io.omnii.server.matter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omnii.server.audit.Actor;
import io.omnii.server.audit.AuditAction;
import io.omnii.server.audit.AuditLog;
import io.omnii.server.audit.Outcome;
import io.omnii.server.audit.Target;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Times;
import io.omnii.server.matter.MatterInventory.StoredServerInfo;
import io.omnii.server.matter.MatterPayloads.CommissioningWindowRequest;
import io.omnii.server.matter.MatterPayloads.DeviceCommandRequest;
import io.omnii.server.matter.MatterPayloads.DeviceCommandResult;
import io.omnii.server.matter.MatterPayloads.IpAddresses;
import io.omnii.server.matter.MatterPayloads.PairingCodes;
import io.omnii.server.matter.MatterPayloads.ServerView;
import io.omnii.server.matter.MatterPayloads.ThreadDatasetRequest;
import io.omnii.server.matter.MatterPayloads.WifiCredentialsRequest;
import io.omnii.server.matter.MatterPayloads.WriteAttributeRequest;
import io.omnii.server.matter.MatterPayloads.WriteResult;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Singleton;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;

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
    static final String CREDENTIAL_ID = "[A-Za-z0-9._-]{1,64}";
    private static final java.util.regex.Pattern CREDENTIAL_ID_PATTERN = java.util.regex.Pattern.compile(CREDENTIAL_ID);
    static final String CREDENTIAL_ID_RULE = "must be 1 to 64 letters, digits, '.', '_' or '-'";
    static final String COMMAND_NAME_RULE = "is required: the CHIP SDK's command name, such as On or MoveToLevel";
    static final String VALUE_RULE = "is required (null writes null)";
    private static final String READ_PATHS_RULE = "give 1 to 50 attribute paths";
    private static final String ATTRIBUTE_PATHS_RULE =
            "each must be endpoint/cluster/attribute in decimal, '*' allowed per segment";
    /** Interaction Model statuses by which a device refuses a write for what it asks, not for failing itself. */
    private static final Map<Integer, String> REQUEST_REFUSALS = Map.of(
            0x7E, "UNSUPPORTED_ACCESS", 0x7F, "UNSUPPORTED_ENDPOINT", 0x86, "UNSUPPORTED_ATTRIBUTE",
            0x87, "CONSTRAINT_ERROR", 0x88, "UNSUPPORTED_WRITE", 0x8D, "INVALID_DATA_TYPE", 0x9D, "ACCESS_RESTRICTED",
            0xC3, "UNSUPPORTED_CLUSTER", 0xC6, "NEEDS_TIMED_INTERACTION");

    private final MatterClient client;
    private final MatterConfig config;
    private final MatterInventory inventory;
    private final ObjectMapper mapper;
    private final AuditLog audit;

    MatterRelay(MatterClient client, MatterConfig config, MatterInventory inventory, ObjectMapper mapper,
            AuditLog audit) {
        this.audit = audit;
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
        return CREDENTIAL_ID_PATTERN.matcher(id).matches();
    }

    /**
     * The connection, and the server info the Matter Server last sent (kept while it is away and across our
     * restarts).
     */
    public ServerView server() {
        MatterClient.State state = client.state();
        Optional<StoredServerInfo> info = inventory.serverInfo();
        return new ServerView(client.enabled(), state.connected(), Times.millis(state.since()),
                state.lastError().orElse(null), info.map(StoredServerInfo::info).orElse(null),
                info.map(i -> i.receivedAt().toEpochMilli()).orElse(null));
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

    public Uni<Void> setWifiCredentials(@Valid WifiCredentialsRequest request, Actor actor) {
        if (request == null) {
            throw ApiException.invalid("ssid", "is required");
        }
        String ssid = request.ssid();
        requireRelay();
        requireNamedCredentials("id", request.id());
        ObjectNode args = mapper.createObjectNode().put("ssid", ssid).put("credentials", request.password());
        if (request.id() != null) {
            args.put("id", request.id());
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("ssid", ssid); // never the password
        detail.put("id", request.id());
        return audited(send("set_wifi_credentials", args, config.commandTimeout()).replaceWithVoid(), actor,
                AuditAction.MATTER_CREDENTIALS_WIFI, Target.matterCredentials("wifi"), detail);
    }

    public Uni<Void> setThreadDataset(@Valid ThreadDatasetRequest request, Actor actor) {
        if (request == null) {
            throw ApiException.invalid("dataset", "must be the Active Operational Dataset as hex: an even number of"
                    + " hex digits, at most 508");
        }
        String dataset = request.dataset().strip();
        requireRelay();
        requireNamedCredentials("id", request.id());
        ObjectNode args = mapper.createObjectNode().put("dataset", dataset);
        if (request.id() != null) {
            args.put("id", request.id());
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("id", request.id()); // never the dataset: it holds the network key
        return audited(send("set_thread_dataset", args, config.commandTimeout()).replaceWithVoid(), actor,
                AuditAction.MATTER_CREDENTIALS_THREAD, Target.matterCredentials("thread"), detail);
    }

    /** Re-reads every attribute of the node; a node_updated follows. */
    public Uni<Void> interview(BigInteger nodeId, Actor actor) {
        return audited(send(nodeId, "interview_node", node(nodeId), config.interviewTimeout()).replaceWithVoid(),
                actor, AuditAction.MATTER_NODE_INTERVIEW, Target.matterNode(nodeId), Map.of());
    }

    /** Takes the node off the fabric; it is gone from the inventory when this completes. */
    public Uni<Void> remove(BigInteger nodeId, Actor actor) {
        return audited(send(nodeId, "remove_node", node(nodeId), config.commandTimeout())
                .onItem().transformToUni(result -> Uni.createFrom().item(() -> {
                    inventory.forget(nodeId); // the node_removed event does it too, but the caller may ask at once
                    return result;
                }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .replaceWithVoid(), actor, AuditAction.MATTER_NODE_REMOVE, Target.matterNode(nodeId), Map.of());
    }

    /** Each of the node's addresses and whether it answered. */
    public Uni<JsonNode> ping(BigInteger nodeId, Actor actor) {
        return audited(send(nodeId, "ping_node", node(nodeId), config.commandTimeout()), actor,
                AuditAction.MATTER_NODE_PING, Target.matterNode(nodeId), Map.of());
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
    public Uni<PairingCodes> openCommissioningWindow(BigInteger nodeId, @Valid CommissioningWindowRequest request,
            Actor actor) {
        Integer timeout = request == null ? null : request.timeoutSeconds();
        Integer discriminator = request == null ? null : request.discriminator();
        ObjectNode args = node(nodeId).put("timeout", timeout == null ? 300 : timeout);
        if (discriminator != null) {
            args.put("discriminator", discriminator);
        }
        // Never the codes it answers: whoever holds them can join the node to another fabric.
        return audited(send(nodeId, "open_commissioning_window", args, config.commandTimeout()).map(result ->
                new PairingCodes(result.path("setup_pin_code").asLong(), result.path("setup_manual_code").asText(null),
                        result.path("setup_qr_code").asText(null))), actor, AuditAction.MATTER_NODE_OPEN_WINDOW,
                Target.matterNode(nodeId), Map.of("timeoutSeconds", args.path("timeout").asInt()));
    }

    public Uni<DeviceCommandResult> deviceCommand(BigInteger nodeId, @Valid DeviceCommandRequest request,
            Actor actor) {
        if (request == null) {
            throw ApiException.invalid("commandName", "is required");
        }
        JsonNode payload = request.payload();
        ObjectNode args = node(nodeId).put("endpoint_id", request.endpointId()).put("cluster_id", request.clusterId())
                .put("command_name", request.commandName());
        args.set("payload", payload == null || payload.isNull() ? mapper.createObjectNode() : payload);
        if (request.timedRequestTimeoutMs() != null) {
            args.put("timed_request_timeout_ms", request.timedRequestTimeoutMs());
        }
        if (request.interactionTimeoutMs() != null) {
            args.put("interaction_timeout_ms", request.interactionTimeoutMs());
        }
        // Not the payload: a door lock's command carries its PIN code.
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("endpointId", request.endpointId());
        detail.put("clusterId", request.clusterId());
        detail.put("commandName", request.commandName());
        return audited(send(nodeId, "device_command", args, config.commandTimeout())
                .map(result -> new DeviceCommandResult(result.isMissingNode() ? null : result)), actor,
                AuditAction.MATTER_NODE_COMMAND, Target.matterNode(nodeId), detail);
    }

    /** Reads from the device (not the inventory); paths may use '*' per segment. */
    public Uni<JsonNode> readAttributes(BigInteger nodeId,
            @NotNull(message = READ_PATHS_RULE) @Size(min = 1, max = 50, message = READ_PATHS_RULE) List<
                    @NotNull(message = ATTRIBUTE_PATHS_RULE)
                    @Pattern(regexp = "(\\d{1,10}|\\*)/(\\d{1,10}|\\*)/(\\d{1,10}|\\*)",
                            message = ATTRIBUTE_PATHS_RULE) String> path) {
        List<String> given = path;
        ObjectNode args = node(nodeId);
        if (given.size() == 1) {
            args.put("attribute_path", given.get(0));
        } else {
            given.forEach(args.putArray("attribute_path")::add);
        }
        return send(nodeId, "read_attribute", args, config.commandTimeout());
    }

    /** Writes one attribute; any status but success is an error, with the device's status code. */
    public Uni<List<WriteResult>> writeAttribute(BigInteger nodeId,
            @Pattern(regexp = "\\d{1,10}/\\d{1,10}/\\d{1,10}", message = "must be endpoint/cluster/attribute in decimal")
            String path,
            @NotNull(message = VALUE_RULE) @Valid WriteAttributeRequest value, // a missing body is a missing value
            Actor actor) {
        ObjectNode args = node(nodeId).put("attribute_path", path);
        args.set("value", value.value());
        // Not the value, which may be a credential (a lock's PIN attribute).
        return audited(send(nodeId, "write_attribute", args, config.commandTimeout()).map(MatterRelay::writeResults)
                .map(MatterRelay::requireWritten), actor, AuditAction.MATTER_ATTRIBUTE_WRITE, Target.matterNode(nodeId),
                Map.of("path", path));
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

    /**
     * Records a relayed operation once the Matter Server answered, in a transaction of its own (the operation changed
     * no row of ours), on a worker thread: success, or failure when the server answered with an error, the device
     * refused, or no answer came in time (the server may have acted). One that never reached the server (not
     * connected) records nothing, like every refusal before it was sent (a 400, 404 or 503, thrown before this Uni).
     */
    private <T> Uni<T> audited(Uni<T> relayed, Actor actor, AuditAction action, Target target, Map<String, ?> detail) {
        return relayed.onItemOrFailure().transformToUni((item, failure) -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                    : failure;
            if (cause instanceof MatterServerException e && e.errorCode() == MatterServerException.UNAVAILABLE) {
                return Uni.createFrom().failure(failure);
            }
            Map<String, Object> recorded = new LinkedHashMap<>(detail);
            if (cause != null) {
                recorded.put("error", cause instanceof MatterServerException e ? MatterErrorMapper.mapping(e.errorCode())
                        .error() : cause instanceof ApiException e ? e.toError().error() : "internal_error");
            }
            return Uni.createFrom().item(() -> {
                audit.recordAlone(actor, action, target, cause == null ? Outcome.SUCCESS : Outcome.FAILURE, recorded);
                return item;
            }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).onItem().transformToUni(
                    i -> cause == null ? Uni.createFrom().item(i) : Uni.createFrom().<T>failure(failure));
        });
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
