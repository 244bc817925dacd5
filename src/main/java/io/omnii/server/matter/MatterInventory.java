package io.omnii.server.matter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
import io.omnii.server.common.Times;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the Matter Server's nodes in PostgreSQL: replaced wholesale by each snapshot (nothing stale survives a
 * reconnection), then kept current from node_added / node_updated / node_removed / attribute_updated /
 * endpoint_removed and server_info_updated. Other events are not stored.
 */
@Singleton
public class MatterInventory implements MatterListener {

    private static final String UPSERT = """
            INSERT INTO matter_node (node_id, available, is_bridge, vendor_id, vendor_name, product_name, node_label,
                   software_version, serial_number, date_commissioned, last_interview, attributes, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)
            ON CONFLICT (node_id) DO UPDATE SET available = EXCLUDED.available, is_bridge = EXCLUDED.is_bridge,
                   vendor_id = EXCLUDED.vendor_id, vendor_name = EXCLUDED.vendor_name,
                   product_name = EXCLUDED.product_name, node_label = EXCLUDED.node_label,
                   software_version = EXCLUDED.software_version, serial_number = EXCLUDED.serial_number,
                   date_commissioned = EXCLUDED.date_commissioned, last_interview = EXCLUDED.last_interview,
                   attributes = EXCLUDED.attributes, updated_at = EXCLUDED.updated_at""";
    private static final String SERVER_INFO = """
            INSERT INTO matter_server (id, info, updated_at) VALUES (1, ?::jsonb, ?)
            ON CONFLICT (id) DO UPDATE SET info = EXCLUDED.info, updated_at = EXCLUDED.updated_at""";

    private final AgroalDataSource dataSource;
    private final ObjectMapper mapper;
    private final Clock clock;

    MatterInventory(AgroalDataSource dataSource, ObjectMapper mapper, Clock clock) {
        this.dataSource = dataSource;
        this.mapper = mapper;
        this.clock = clock;
    }

    @Override
    public void onSnapshot(JsonNode serverInfo, List<JsonNode> nodes) {
        inTransaction(c -> {
            c.createStatement().execute("DELETE FROM matter_node");
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                for (JsonNode node : nodes) {
                    bind(ps, node);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            saveServerInfo(c, serverInfo);
        });
    }

    @Override
    public void onEvent(String event, JsonNode data) {
        switch (event) {
            case "node_added", "node_updated" -> inTransaction(c -> upsert(c, data));
            case "node_removed" -> inTransaction(c -> delete(c, data.bigIntegerValue()));
            case "attribute_updated" -> inTransaction(c -> updateAttribute(c, data));
            case "endpoint_removed" -> inTransaction(c -> removeEndpoint(c, data));
            case "server_info_updated" -> inTransaction(c -> saveServerInfo(c, data));
            default -> {
                // node_event, endpoint_added (a node_updated follows) and events of newer schemas
            }
        }
    }

    private void upsert(Connection c, JsonNode node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            bind(ps, node);
            ps.executeUpdate();
        }
    }

    private static void delete(Connection c, BigInteger nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM matter_node WHERE node_id = ?")) {
            ps.setBigDecimal(1, new BigDecimal(nodeId));
            ps.executeUpdate();
        }
    }

    /** attribute_updated carries [node_id, "endpoint/cluster/attribute", value]. */
    private void updateAttribute(Connection c, JsonNode data) throws SQLException {
        if (!data.isArray() || data.size() < 3) {
            return;
        }
        Optional<ObjectNode> node = load(c, data.get(0).bigIntegerValue());
        if (node.isPresent()) {
            ((ObjectNode) node.get().path("attributes")).set(data.get(1).asText(), data.get(2));
            upsert(c, node.get());
        }
    }

    /** endpoint_removed carries {node_id, endpoint_id}: its attributes go with it. */
    private void removeEndpoint(Connection c, JsonNode data) throws SQLException {
        Optional<ObjectNode> node = load(c, data.path("node_id").bigIntegerValue());
        if (node.isPresent()) {
            String prefix = data.path("endpoint_id").asInt() + "/";
            ObjectNode attributes = (ObjectNode) node.get().path("attributes");
            List<String> gone = new java.util.ArrayList<>();
            attributes.fieldNames().forEachRemaining(name -> {
                if (name.startsWith(prefix)) {
                    gone.add(name);
                }
            });
            attributes.remove(gone);
            upsert(c, node.get());
        }
    }

    /** The node as the server last described it, rebuilt from the stored row. */
    private Optional<ObjectNode> load(Connection c, BigInteger nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT available, is_bridge, date_commissioned, last_interview,"
                + " CAST(attributes AS text) FROM matter_node WHERE node_id = ? FOR UPDATE")) {
            ps.setBigDecimal(1, new BigDecimal(nodeId));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                ObjectNode node = mapper.createObjectNode();
                node.put("node_id", nodeId);
                node.put("available", rs.getBoolean(1));
                node.put("is_bridge", rs.getBoolean(2));
                putDate(node, "date_commissioned", rs.getTimestamp(3));
                putDate(node, "last_interview", rs.getTimestamp(4));
                node.set("attributes", mapper.readTree(rs.getString(5)));
                return Optional.of(node);
            } catch (JsonProcessingException e) {
                throw new SQLException("stored attributes are not JSON", e);
            }
        }
    }

    private void bind(PreparedStatement ps, JsonNode node) throws SQLException {
        JsonNode attributes = node.path("attributes");
        ps.setBigDecimal(1, new BigDecimal(node.path("node_id").bigIntegerValue()));
        ps.setBoolean(2, node.path("available").asBoolean(false));
        ps.setBoolean(3, node.path("is_bridge").asBoolean(false));
        JsonNode vendorId = attributes.path("0/40/2");
        if (vendorId.canConvertToInt()) {
            ps.setInt(4, vendorId.asInt());
        } else {
            ps.setNull(4, java.sql.Types.INTEGER);
        }
        ps.setString(5, text(attributes, "0/40/1", 200));
        ps.setString(6, text(attributes, "0/40/3", 200));
        ps.setString(7, text(attributes, "0/40/5", 200));
        ps.setString(8, text(attributes, "0/40/10", 100));
        ps.setString(9, text(attributes, "0/40/15", 100));
        ps.setTimestamp(10, date(node.path("date_commissioned")));
        ps.setTimestamp(11, date(node.path("last_interview")));
        try {
            ps.setString(12, mapper.writeValueAsString(attributes.isObject() ? attributes : mapper.createObjectNode()));
        } catch (JsonProcessingException e) {
            throw new SQLException("attributes not serialisable", e);
        }
        ps.setObject(13, Times.utc(clock.instant()));
    }

    private void saveServerInfo(Connection c, JsonNode info) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SERVER_INFO)) {
            ps.setString(1, mapper.writeValueAsString(info));
            ps.setObject(2, Times.utc(clock.instant()));
            ps.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new SQLException("server info not serialisable", e);
        }
    }

    private static String text(JsonNode attributes, String path, int max) {
        JsonNode value = attributes.path(path);
        if (!value.isTextual()) {
            return null;
        }
        String s = value.asText();
        return s.length() <= max ? s : s.substring(0, max);
    }

    /** Datetimes come without an offset (PMS: UTC, MJS: server local time); unparseable ones are left out. */
    private static Timestamp date(JsonNode value) {
        if (!value.isTextual()) {
            return null;
        }
        try {
            return Timestamp.valueOf(LocalDateTime.parse(value.asText()));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static void putDate(ObjectNode node, String field, Timestamp value) {
        if (value != null) {
            node.put(field, value.toLocalDateTime().toString());
        }
    }

    private interface Work {
        void run(Connection c) throws SQLException;
    }

    private void inTransaction(Work work) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                try (Connection c = dataSource.getConnection()) {
                    work.run(c);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        } catch (RuntimeException e) {
            // The next reconnection's snapshot repairs whatever this missed.
            Log.errorf(e, "Could not store a Matter Server update");
        }
    }
}
