package io.omnii.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnii.server.matter.MatterPayloads.NodeEventView;
import io.omnii.server.matter.MatterPayloads.NodeView;
import io.omnii.server.matter.MatterPayloads.ServerView;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the console's Matter pages show, shaped from the Matter feature's views for the templates. */
final class MatterViews {

    /** Attribute values longer than this are folded away on the page; beyond {@link #VALUE_MAX} they are cut. */
    static final int VALUE_SHORT = 80;
    static final int VALUE_MAX = 4000;
    /** The On/Off cluster. */
    static final long ON_OFF = 6;

    private MatterViews() {
    }

    /** The connection and the server info (PROTOCOL.md: ServerInfo); null fields were not sent. */
    public record ServerFacts(boolean enabled, boolean connected, Instant since, String lastError, String flavour,
            String sdkVersion, String schema, String fabricId, String compressedFabricId, String fabricIndex,
            String controllerNodeId, Boolean wifiCredentialsSet, String wifiSsid, Boolean threadCredentialsSet,
            Boolean bluetoothEnabled, Instant infoReceivedAt) {

        static ServerFacts of(ServerView view) {
            JsonNode info = view.info();
            boolean known = info != null && info.isObject();
            String sdk = known ? text(info, "sdk_version") : null;
            String schema = known && info.has("schema_version") ? info.path("schema_version").asText()
                    + (info.has("min_supported_schema_version")
                            ? " (supports " + info.path("min_supported_schema_version").asText() + " and up)" : "")
                    : null;
            return new ServerFacts(view.enabled(), view.connected(),
                    view.since() == null ? null : Instant.ofEpochMilli(view.since()), view.lastError(),
                    sdk == null ? null : sdk.startsWith("matter-server/") ? "matterjs-server" : "python-matter-server",
                    sdk, schema, known ? text(info, "fabric_id") : null,
                    known ? text(info, "compressed_fabric_id") : null, known ? text(info, "fabric_index") : null,
                    known ? text(info, "controller_node_id") : null, known ? flag(info, "wifi_credentials_set") : null,
                    known ? text(info, "wifi_ssid") : null, known ? flag(info, "thread_credentials_set") : null,
                    known ? flag(info, "bluetooth_enabled") : null,
                    view.infoReceivedAt() == null ? null : Instant.ofEpochMilli(view.infoReceivedAt()));
        }

        /** "connected", "disconnected" or "off", with the matching status class. */
        public String state() {
            return !enabled ? "off" : connected ? "connected" : "disconnected";
        }

        public String stateClass() {
            return !enabled ? "unavailable" : connected ? "online" : "offline";
        }
    }

    /** One value of a node's attribute map ("endpoint/cluster/attribute"). */
    public record AttributeRow(String path, long id, String name, String value, boolean folded) {
    }

    public record ClusterGroup(long id, String name, List<AttributeRow> attributes) {
    }

    public record Endpoint(int id, List<String> deviceTypes, List<ClusterGroup> clusters) {
    }

    /** An On/Off cluster the page shows a switch for. */
    public record Switch(int endpoint, boolean on) {
    }

    public record EventRow(BigInteger number, int endpoint, String cluster, long eventId, String priority, String data,
            long receivedAt) {
    }

    /** Everything the node page shows of a node; node is null once it is gone. */
    public record NodeDetail(BigInteger nodeId, NodeView node, List<Switch> switches, List<Endpoint> endpoints,
            List<EventRow> events) {
    }

    static NodeDetail detail(BigInteger nodeId, NodeView node, List<NodeEventView> events) {
        if (node == null) {
            return new NodeDetail(nodeId, null, List.of(), List.of(), List.of());
        }
        // endpoint -> cluster -> attribute -> value, in numeric order
        Map<Integer, Map<Long, Map<Long, JsonNode>>> tree = new TreeMap<>();
        JsonNode attributes = node.attributes();
        if (attributes != null) {
            attributes.properties().forEach(e -> {
                String[] parts = e.getKey().split("/");
                if (parts.length == 3) {
                    try {
                        tree.computeIfAbsent(Integer.valueOf(parts[0]), k -> new TreeMap<>())
                                .computeIfAbsent(Long.valueOf(parts[1]), k -> new TreeMap<>())
                                .put(Long.valueOf(parts[2]), e.getValue());
                    } catch (NumberFormatException ignored) {
                        // not a path the Matter Server sends: left out
                    }
                }
            });
        }
        List<Endpoint> endpoints = new ArrayList<>();
        List<Switch> switches = new ArrayList<>();
        tree.forEach((endpoint, clusters) -> {
            List<ClusterGroup> groups = new ArrayList<>();
            clusters.forEach((cluster, values) -> {
                List<AttributeRow> rows = new ArrayList<>();
                values.forEach((attribute, value) -> {
                    String shown = shown(value);
                    String name = MatterNames.attribute(cluster, attribute);
                    rows.add(new AttributeRow(endpoint + "/" + cluster + "/" + attribute, attribute,
                            name == null ? "Attribute " + attribute : name, shown, shown.length() > VALUE_SHORT));
                });
                groups.add(new ClusterGroup(cluster, MatterNames.cluster(cluster), rows));
            });
            Map<Long, JsonNode> onOff = clusters.get(ON_OFF);
            if (onOff != null && onOff.containsKey(0L) && onOff.get(0L).isBoolean()) {
                switches.add(new Switch(endpoint, onOff.get(0L).asBoolean()));
            }
            List<String> deviceTypes = new ArrayList<>();
            JsonNode descriptor = clusters.getOrDefault(29L, Map.of()).get(0L);
            if (descriptor != null) {
                descriptor.forEach(d -> deviceTypes.add(MatterNames.deviceType(d.path("0").asLong())));
            }
            endpoints.add(new Endpoint(endpoint, deviceTypes, groups));
        });
        List<EventRow> rows = events.stream().map(e -> new EventRow(e.eventNumber(), e.endpointId(),
                MatterNames.cluster(e.clusterId()), e.eventId(), priority(e.priority()),
                e.data() == null ? "" : shown(e.data()), e.receivedAt())).toList();
        return new NodeDetail(nodeId, node, switches, endpoints, rows);
    }

    /** Text as text, everything else as its JSON; cut at {@link #VALUE_MAX} characters. */
    static String shown(JsonNode value) {
        String text = value.isTextual() ? value.asText() : value.toString();
        return text.length() <= VALUE_MAX ? text : text.substring(0, VALUE_MAX) + "…";
    }

    private static String priority(int priority) {
        return switch (priority) {
            case 0 -> "debug";
            case 1 -> "info";
            case 2 -> "critical";
            default -> String.valueOf(priority);
        };
    }

    private static String text(JsonNode info, String field) {
        JsonNode value = info.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Boolean flag(JsonNode info, String field) {
        JsonNode value = info.get(field);
        return value == null || !value.isBoolean() ? null : value.asBoolean();
    }
}
