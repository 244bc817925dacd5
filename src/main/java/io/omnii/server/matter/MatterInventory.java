package io.omnii.server.matter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.common.Change;
import io.omnii.server.common.SqlParameters;
import io.omnii.server.common.Times;
import io.omnii.server.matter.MatterPayloads.NodeEventView;
import io.omnii.server.matter.MatterPayloads.NodeView;
import io.omnii.server.replica.Leadership;
import io.omnii.server.replica.LeadershipChanged;
import io.omnii.server.replica.PeriodicJobs;
import io.omnii.server.replica.ReplicaConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Keeps the Matter Server's nodes in PostgreSQL: replaced wholesale by each snapshot (nothing stale survives a
 * reconnection), then kept current from node_added / node_updated / node_removed / attribute_updated /
 * endpoint_removed and server_info_updated; node_event is kept for a while (omnii.matter.event-retention).
 * endpoint_added needs nothing: the server sends the node_updated that carries the new endpoint. Also exports
 * {@code omnii_matter_nodes{availability}}, recounted after every change.
 *
 * <p>Every replica listens to the Matter Server on its own connection, but only the leader writes what it hears
 * (docs/matter.md#several-replicas): the others keep the node ids in memory (to refuse an unknown node at once) and
 * the node events of the last two leases, which they write when they take the leadership over, after a snapshot
 * from their own connection (get_nodes). The leader alone exports the gauge.
 *
 * <p>Availability is the Matter Server's word, so it is known only while we listen to it: from a snapshot until the
 * connection drops. Outside that window nodes read {@code available: null} and the gauge counts them as
 * {@code unknown}. The node ids and the last server info are also kept in memory, so that a relayed call can be
 * refused for an unknown node without a query, and the server info shown while the Matter Server is away.
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

    private static final String NODE_EVENT = """
            INSERT INTO matter_node_event (node_id, event_number, endpoint_id, cluster_id, event_id, priority,
                   event_timestamp, timestamp_type, data, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT DO NOTHING""";
    private static final String NODE_COLUMNS = """
            SELECT node_id, available, is_bridge, vendor_id, vendor_name, product_name, node_label, software_version,
                   serial_number, CAST(date_commissioned AS text), CAST(last_interview AS text), CAST(attributes AS text)
              FROM matter_node""";

    /** Every node changed (a snapshot, a lost connection): heard only by callers with the whole fleet in scope. */
    private static final Change ANY_NODE = new Change(Change.Kind.MATTER_NODE, null, null);

    private final AgroalDataSource dataSource;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final MatterConfig config;
    private final Event<Change> changes;
    private final MeterRegistry registry;
    private final Leadership leadership;
    private final ReplicaConfig replicaConfig;
    private final PeriodicJobs jobs;
    private final MatterClient client;
    /** The leader's gauges, registered while this replica leads. */
    private final List<Meter> gauges = new ArrayList<>();
    /** Node events heard while not leading, oldest first; touched only on the thread that applies the events. */
    private final Deque<HeardEvent> heard = new ArrayDeque<>();

    /** The job name of the hourly node-event purge, claimed once per interval fleet-wide. */
    static final String PURGE_JOB = "matter-event-purge";
    static final Duration PURGE_INTERVAL = Duration.ofHours(1);
    /** At most this many node events are kept in memory by a replica that does not lead. */
    static final int HEARD_EVENTS = 10_000;

    /** A node event as heard, and when. */
    private record HeardEvent(JsonNode data, Instant receivedAt) {
    }

    /** What the table holds, published after each commit: node ids and how many are available. */
    record Counts(Set<BigInteger> ids, long available) {
    }

    /** The server info the Matter Server last sent, and when it came. */
    public record StoredServerInfo(JsonNode info, Instant receivedAt) {
    }

    private volatile Counts counts = new Counts(Set.of(), 0);
    private volatile Optional<StoredServerInfo> serverInfo = Optional.empty();
    /** True from a snapshot until the connection drops: only then is each node's availability current. */
    private volatile boolean availabilityKnown;

    MatterInventory(AgroalDataSource dataSource, ObjectMapper mapper, Clock clock, MatterConfig config,
            MeterRegistry registry, Event<Change> changes, Leadership leadership, ReplicaConfig replicaConfig,
            PeriodicJobs jobs, MatterClient client) {
        this.dataSource = dataSource;
        this.changes = changes;
        this.mapper = mapper;
        this.clock = clock;
        this.config = config;
        this.registry = registry;
        this.leadership = leadership;
        this.replicaConfig = replicaConfig;
        this.jobs = jobs;
        this.client = client;
    }

    /**
     * On the replicas' heartbeat thread, so nothing here waits: the gauges follow the leadership at once; the
     * take-over (a snapshot, then the events heard meanwhile) runs on the thread that applies the events, once the
     * Matter Server has answered get_nodes.
     */
    synchronized void onLeadershipChanged(@Observes LeadershipChanged changed) {
        gauges.forEach(registry::remove);
        gauges.clear();
        if (!changed.leader()) {
            return;
        }
        gauges.add(gauge("available", i -> i.availabilityKnown ? i.counts.available() : 0));
        gauges.add(gauge("unavailable", i -> i.availabilityKnown ? i.counts.ids().size() - i.counts.available() : 0));
        gauges.add(gauge("unknown", i -> i.availabilityKnown ? 0 : i.counts.ids().size()));
        if (client.enabled()) {
            client.sendThenHandleAfterPrecedingEvents("get_nodes", null, config.startListeningTimeout(),
                    (nodes, failure) -> takeOver(failure == null ? nodes : null));
        }
    }

    private Meter gauge(String availability, ToDoubleFunction<MatterInventory> value) {
        return Gauge.builder("omnii.matter.nodes", this, value).description("Matter nodes by availability (unknown: "
                + "not listening to the Matter Server); exported by the leading replica only")
                .tag("availability", availability).register(registry);
    }

    /**
     * This replica now writes the inventory: what it heard while another replica did (or was dying) is written from
     * its own connection. The node list, when get_nodes answered (otherwise the next snapshot brings it), then the
     * node events heard (idempotent: the event's primary key).
     */
    private void takeOver(JsonNode nodes) {
        if (!writes()) {
            return;
        }
        if (nodes != null && nodes.isArray()) {
            List<JsonNode> snapshot = new ArrayList<>();
            nodes.forEach(snapshot::add);
            JsonNode info = client.state().serverInfo();
            onSnapshot(info != null ? info : serverInfo.map(StoredServerInfo::info).orElse(null), snapshot);
        }
        List<HeardEvent> events = List.copyOf(heard);
        heard.clear();
        if (!events.isEmpty()) {
            inTransaction(ANY_NODE, c -> {
                for (HeardEvent e : events) {
                    if (counts.ids().contains(e.data().path("node_id").bigIntegerValue())) {
                        saveNodeEvent(c, e.data(), e.receivedAt());
                    }
                }
            });
        }
        if (nodes == null && !events.isEmpty()) {
            Log.infof("Leading without the Matter Server's node list (not listening): the next snapshot writes it;"
                    + " %d node events heard meanwhile written", events.size());
        } else if (nodes != null) {
            Log.infof("Took the Matter inventory over: %d nodes, %d node events heard meanwhile", nodes.size(),
                    events.size());
        }
    }

    /** Whether this replica writes the inventory now: it leads. */
    private boolean writes() {
        return leadership.isLeader();
    }

    void onStart(@Observes StartupEvent event) {
        jobs.register(PURGE_JOB);
        inTransaction(null, c -> {
        }); // counts what the last run left, until the first snapshot
        query("SELECT CAST(info AS text), updated_at FROM matter_server", ps -> {
        }, rs -> new StoredServerInfo(json(rs.getString(1)), rs.getTimestamp(2).toInstant())).stream().findFirst()
                .ifPresent(stored -> serverInfo = Optional.of(stored));
    }

    /** Whether the Matter Server had this node when we last heard from it (no query: kept in memory). */
    public boolean knows(BigInteger nodeId) {
        return counts.ids().contains(nodeId);
    }

    /** The server info the Matter Server last sent, kept also while it is away and across our restarts. */
    public Optional<StoredServerInfo> serverInfo() {
        return serverInfo;
    }

    /** Every node, by id, without attributes. */
    public List<NodeView> nodes() {
        return query(NODE_COLUMNS + " ORDER BY node_id", ps -> {
        }, rs -> nodeView(rs, false));
    }

    /** One node with its attribute map. */
    public Optional<NodeView> node(BigInteger nodeId) {
        return query(NODE_COLUMNS + " WHERE node_id = ?", ps -> ps.setBigDecimal(1, new BigDecimal(nodeId)),
                rs -> nodeView(rs, true)).stream().findFirst();
    }

    /** The node's latest events, newest first. */
    public List<NodeEventView> events(BigInteger nodeId, int limit) {
        return query("""
                SELECT node_id, event_number, endpoint_id, cluster_id, event_id, priority, event_timestamp,
                       timestamp_type, CAST(data AS text), received_at
                  FROM matter_node_event WHERE node_id = ? ORDER BY event_number DESC LIMIT ?""", ps -> {
            ps.setBigDecimal(1, new BigDecimal(nodeId));
            ps.setInt(2, limit);
        }, rs -> new NodeEventView(rs.getBigDecimal(1).toBigIntegerExact(), rs.getBigDecimal(2).toBigIntegerExact(),
                rs.getInt(3), rs.getLong(4), rs.getLong(5), rs.getInt(6), rs.getBigDecimal(7).toBigIntegerExact(),
                rs.getInt(8), json(rs.getString(9)), rs.getTimestamp(10).getTime()));
    }

    /** Drops a node that the Matter Server removed, with its events. */
    public void forget(BigInteger nodeId) {
        inTransaction(changed(nodeId), c -> delete(c, nodeId));
    }

    /**
     * Drops node events older than the retention, once per hour fleet-wide (the claim commits or rolls back with the
     * delete); the number of events dropped, or -1 when another replica purged within the hour.
     */
    @Transactional
    public int purgeEvents() {
        if (!jobs.claim(PURGE_JOB, PURGE_INTERVAL)) {
            return -1;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("DELETE FROM matter_node_event WHERE received_at < ?")) {
            ps.setObject(1, Times.utc(clock.instant().minus(config.eventRetention())));
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeEventsHourly() {
        purgeEvents();
    }

    @Override
    public void onSnapshot(JsonNode info, List<JsonNode> nodes) {
        if (!writes()) {
            remember(nodes.stream().map(n -> n.path("node_id")).filter(JsonNode::isIntegralNumber)
                    .map(JsonNode::bigIntegerValue).collect(java.util.stream.Collectors.toSet()));
            serverInfo = Optional.of(new StoredServerInfo(info, clock.instant()));
            availabilityKnown = true;
            changes.fire(ANY_NODE);
            changes.fire(Change.fleetWide(Change.Kind.MATTER_SERVER, MatterClient.SERVER));
            return;
        }
        Instant now = clock.instant();
        boolean stored = inTransaction(null, c -> {
            c.createStatement().execute("DELETE FROM matter_node");
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                for (JsonNode node : nodes) {
                    bind(ps, node);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.createStatement().execute("DELETE FROM matter_node_event e"
                    + " WHERE NOT EXISTS (SELECT 1 FROM matter_node n WHERE n.node_id = e.node_id)");
            saveServerInfo(c, info, now);
        });
        serverInfo = Optional.of(new StoredServerInfo(info, now));
        availabilityKnown = stored;
        // Announced once the availability is current, which a page showing the nodes reads.
        changes.fire(ANY_NODE);
        changes.fire(Change.fleetWide(Change.Kind.MATTER_SERVER, MatterClient.SERVER));
    }

    /** Until the next snapshot, nobody tells us when a node comes or goes. */
    @Override
    public void onDisconnected() {
        availabilityKnown = false;
        changes.fire(ANY_NODE);
    }

    @Override
    public void onEvent(String event, JsonNode data) {
        if (!writes()) {
            hear(event, data);
            return;
        }
        switch (event) {
            case "node_added", "node_updated" -> inTransaction(changed(data.path("node_id")), c -> upsert(c, data));
            case "node_removed" -> inTransaction(changed(data), c -> delete(c, data.bigIntegerValue()));
            case "attribute_updated" -> inTransaction(changed(data.path(0)), c -> updateAttribute(c, data));
            case "endpoint_removed" -> inTransaction(changed(data.path("node_id")), c -> removeEndpoint(c, data));
            case "server_info_updated" -> {
                Instant now = clock.instant();
                inTransaction(null, c -> saveServerInfo(c, data, now));
                serverInfo = Optional.of(new StoredServerInfo(data, now));
                changes.fire(Change.fleetWide(Change.Kind.MATTER_SERVER, MatterClient.SERVER));
            }
            case "node_event" -> inTransaction(changed(data.path("node_id")), c -> saveNodeEvent(c, data,
                    clock.instant()));
            default -> {
                // endpoint_added (a node_updated follows) and events of newer schemas
            }
        }
    }

    /**
     * Not leading: what the relay needs (which nodes exist, the server info) is kept in memory, and node events for
     * a take-over; the leader writes the rest.
     */
    private void hear(String event, JsonNode data) {
        switch (event) {
            case "node_added", "node_updated" -> {
                if (data.path("node_id").isIntegralNumber()) {
                    Set<BigInteger> ids = new HashSet<>(counts.ids());
                    ids.add(data.path("node_id").bigIntegerValue());
                    remember(ids);
                }
            }
            case "node_removed" -> {
                if (data.isIntegralNumber()) {
                    Set<BigInteger> ids = new HashSet<>(counts.ids());
                    ids.remove(data.bigIntegerValue());
                    remember(ids);
                }
            }
            case "server_info_updated" -> {
                serverInfo = Optional.of(new StoredServerInfo(data, clock.instant()));
                changes.fire(Change.fleetWide(Change.Kind.MATTER_SERVER, MatterClient.SERVER));
            }
            case "node_event" -> {
                Instant now = clock.instant();
                heard.addLast(new HeardEvent(data, now));
                Instant oldest = now.minus(replicaConfig.lease().multipliedBy(2));
                while (heard.size() > HEARD_EVENTS || heard.peekFirst().receivedAt().isBefore(oldest)) {
                    heard.removeFirst();
                }
            }
            default -> {
                // attribute_updated, endpoint_*: the leader's to write; a take-over's snapshot has them
            }
        }
    }

    /** The node ids known while not leading; the available count is the leader's (its gauge). */
    private void remember(Set<BigInteger> ids) {
        counts = new Counts(Set.copyOf(ids), 0);
    }

    /**
     * A node the Matter Server just commissioned through this replica, so that its caller finds it at once: on a
     * replica that does not lead, inserted unless the leader wrote it first (then the leader's row stays).
     */
    void commissioned(JsonNode node) {
        if (writes() || !node.path("node_id").isIntegralNumber()) {
            return; // the leader wrote the node_added that came before the answer
        }
        Set<BigInteger> ids = new HashSet<>(counts.ids());
        ids.add(node.path("node_id").bigIntegerValue());
        inTransaction(changed(node.path("node_id")), c -> {
            try (PreparedStatement ps = c.prepareStatement(UPSERT.substring(0, UPSERT.indexOf("ON CONFLICT"))
                    + "ON CONFLICT (node_id) DO NOTHING")) {
                bind(ps, node);
                ps.executeUpdate();
            }
        });
        remember(ids);
    }

    private void upsert(Connection c, JsonNode node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            bind(ps, node);
            ps.executeUpdate();
        }
    }

    private static void delete(Connection c, BigInteger nodeId) throws SQLException {
        for (String table : List.of("matter_node", "matter_node_event")) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE node_id = ?")) {
                ps.setBigDecimal(1, new BigDecimal(nodeId));
                ps.executeUpdate();
            }
        }
    }

    /** A MatterNodeEvent; one without its identifying numbers cannot be stored and is skipped. */
    private void saveNodeEvent(Connection c, JsonNode e, Instant receivedAt) throws SQLException {
        if (!e.path("node_id").isIntegralNumber() || !e.path("event_number").isIntegralNumber()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(NODE_EVENT)) {
            ps.setBigDecimal(1, new BigDecimal(e.path("node_id").bigIntegerValue()));
            ps.setBigDecimal(2, new BigDecimal(e.path("event_number").bigIntegerValue()));
            ps.setInt(3, e.path("endpoint_id").asInt());
            ps.setLong(4, e.path("cluster_id").asLong());
            ps.setLong(5, e.path("event_id").asLong());
            ps.setInt(6, e.path("priority").asInt());
            ps.setBigDecimal(7, new BigDecimal(e.path("timestamp").isIntegralNumber()
                    ? e.path("timestamp").bigIntegerValue() : BigInteger.ZERO));
            ps.setInt(8, e.path("timestamp_type").asInt());
            ps.setString(9, e.path("data").isMissingNode() ? null : mapper.writeValueAsString(e.path("data")));
            ps.setObject(10, Times.utc(receivedAt));
            ps.executeUpdate();
        } catch (JsonProcessingException ex) {
            throw new SQLException("event data not serialisable", ex);
        }
    }

    private NodeView nodeView(ResultSet r, boolean withAttributes) throws SQLException {
        Boolean available = availabilityKnown ? r.getBoolean(2) : null;
        return new NodeView(r.getBigDecimal(1).toBigIntegerExact(), available, r.getBoolean(3),
                (Integer) r.getObject(4), r.getString(5), r.getString(6), r.getString(7), r.getString(8),
                r.getString(9), r.getString(10), r.getString(11), withAttributes ? json(r.getString(12)) : null);
    }

    private JsonNode json(String text) throws SQLException {
        try {
            return text == null ? null : mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored JSON is not JSON", e);
        }
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, Binder binder, Row<T> row) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(row.read(rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The node ids and the available count, read in the transaction that changed them. */
    private static Counts count(Connection c) throws SQLException {
        Set<BigInteger> ids = new HashSet<>();
        long available = 0;
        try (ResultSet rs = c.createStatement().executeQuery("SELECT node_id, available FROM matter_node")) {
            while (rs.next()) {
                ids.add(rs.getBigDecimal(1).toBigIntegerExact());
                available += rs.getBoolean(2) ? 1 : 0;
            }
        }
        return new Counts(Set.copyOf(ids), available);
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
            List<String> gone = new ArrayList<>();
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
        SqlParameters.setInt(ps, 4, vendorId.canConvertToInt() ? vendorId.asInt() : null);
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

    private void saveServerInfo(Connection c, JsonNode info, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SERVER_INFO)) {
            ps.setString(1, mapper.writeValueAsString(info));
            ps.setObject(2, Times.utc(now));
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

    /** A change of one node; a message without a node id announces every node. */
    private static Change changed(JsonNode nodeId) {
        return nodeId.isIntegralNumber() ? changed(nodeId.bigIntegerValue()) : ANY_NODE;
    }

    private static Change changed(BigInteger nodeId) {
        return Change.fleetWide(Change.Kind.MATTER_NODE, nodeId);
    }

    interface Work {
        void run(Connection c) throws SQLException;
    }

    /**
     * Runs the work and recounts in one transaction; the counts are published once it committed, and the change
     * (null: none to announce) is announced then.
     */
    private boolean inTransaction(Change change, Work work) {
        try {
            counts = applyAndCount(change, work);
            return true;
        } catch (RuntimeException e) {
            // The next reconnection's snapshot repairs whatever this missed.
            Log.errorf(e, "Could not store a Matter Server update");
            return false;
        }
    }

    /** One transaction per message of the Matter Server, committed before the next is stored. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    Counts applyAndCount(Change change, Work work) {
        try (Connection c = dataSource.getConnection()) {
            work.run(c);
            if (change != null) {
                changes.fire(change);
            }
            return count(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
