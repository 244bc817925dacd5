package io.omnii.server.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.omnii.server.auth.Scope;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Change;
import io.omnii.server.common.SqlParameters;
import io.omnii.server.common.Times;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The one writer of {@code instance}, {@code instance_event} and {@code instance_count}: creation, renames and tags,
 * decommissioning, what telemetry observed and the presence sweep. Each change of status follows {@link Presence}
 * and is recorded and counted in the caller's transaction, so the counts stay exact. Every method joins the
 * caller's transaction (the services own them): a telemetry batch's changes commit or roll back with the batch.
 */
@ApplicationScoped
public class InstanceWriter {

    private static final String CLIENT_ID_PREFIX = "ha-";

    private static final String LOCK_INSTANCES = """
            SELECT id, status, last_seen_at, last_report_at, metrics_at FROM instance
             WHERE id = ANY(?) ORDER BY id FOR UPDATE""";
    // The tags of the few rows a batch changed, for the live feed; most batches change none, so the lock reads none.
    private static final String TAGS = "SELECT id, tags FROM instance WHERE id = ANY(?)";
    // One statement for the whole batch, whatever its size: the values come as arrays, a row per instance.
    // Timestamps travel as epoch microseconds (exact: an int8 times an interval is computed in a double, exact below
    // 2^53), which costs far less to encode than timestamp text.
    private static final String UPDATE_PRESENCE = """
            UPDATE instance i SET status = v.status,
                   status_changed_at = COALESCE(timestamptz 'epoch' + v.changed * interval '1 microsecond',
                                                i.status_changed_at),
                   last_seen_at = timestamptz 'epoch' + v.seen * interval '1 microsecond',
                   last_report_at = timestamptz 'epoch' + v.reported * interval '1 microsecond',
                   version = COALESCE(v.version, i.version), uptime_seconds = COALESCE(v.uptime, i.uptime_seconds)
              FROM unnest(?::uuid[], ?::varchar[], ?::bigint[], ?::bigint[], ?::bigint[], ?::varchar[], ?::bigint[])
                   AS v(id, status, changed, seen, reported, version, uptime)
             WHERE i.id = v.id""";
    private static final String UPDATE_METRICS = """
            UPDATE instance SET metrics_at = ?, stability_score = ?, core_version = ?, supervisor_version = ?,
                   os_version = ?, total_devices = ?, total_entities = ?, pending_updates = ?, latest_metrics = ?::jsonb
             WHERE id = ?""";
    // Transitions summed by state (instance_count, V6), one statement.
    private static final String COUNT_TRANSITIONS = """
            UPDATE instance_count c SET n = c.n + d.delta FROM unnest(?::varchar[], ?::bigint[]) AS d(status, delta)
             WHERE c.status = d.status""";
    private static final String INSERT_EVENT = """
            INSERT INTO instance_event (instance_id, at, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?)""";
    // Presence.timeOut over every row at once. Rows another replica or the telemetry batch holds are skipped (they
    // are being refreshed), so two replicas sweeping at once never record a transition twice. It answers how many
    // turned offline (one row even when none did) and the ids and tags of the first few, for the live feed.
    private static final String SWEEP = """
            WITH stale AS (
                SELECT id, status FROM instance
                 WHERE status IN (%s) AND last_seen_at < ?
                 FOR UPDATE SKIP LOCKED),
            gone AS (
                UPDATE instance i SET status = '%2$s', status_changed_at = ?
                  FROM stale WHERE i.id = stale.id
                RETURNING i.id, i.tags, stale.status AS was),
            counted AS (
                UPDATE instance_count c SET n = c.n + d.delta
                  FROM (SELECT was AS status, -count(*) AS delta FROM gone GROUP BY was
                        UNION ALL SELECT '%2$s', count(*) FROM gone) d
                 WHERE c.status = d.status),
            logged AS (
                INSERT INTO instance_event (instance_id, at, from_status, to_status, reason)
                SELECT id, ?, was, '%2$s', '%3$s' FROM gone)
            SELECT n.n, g.id, g.tags FROM (SELECT count(*) AS n FROM gone) n
              LEFT JOIN (SELECT id, tags FROM gone LIMIT ?) g ON true""".formatted(
            Presence.TIMES_OUT.stream().map(s -> "'" + s.wire() + "'").collect(Collectors.joining(", ")),
            Presence.SILENT.wire(), TransitionReason.HEARTBEAT_TIMEOUT.wire());

    /** What became of each observation of a batch. */
    public enum Verdict {
        ACCEPTED,
        UNKNOWN_INSTANCE,
        DECOMMISSIONED_INSTANCE
    }

    /** A batch's verdicts, in the observations' order, and the instances it left online that were not before. */
    public record Observed(List<Verdict> verdicts, Set<UUID> cameOnline) {
    }

    private final AgroalDataSource dataSource;
    private final InstanceRepository instances;
    private final ObjectMapper mapper;
    private final Event<Change> changes;

    InstanceWriter(AgroalDataSource dataSource, InstanceRepository instances, ObjectMapper mapper,
            Event<Change> changes) {
        this.dataSource = dataSource;
        this.instances = instances;
        this.mapper = mapper;
        this.changes = changes;
    }

    /** A new instance, offline until it reports. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Instance enroll(String name, List<String> tags, Instant now) {
        Instance instance = new Instance();
        instance.id = UUID.randomUUID();
        Presence.Step born = Presence.enroll(instance.id, now);
        instance.name = name;
        instance.tags = new ArrayList<>(tags);
        instance.mqttClientId = CLIENT_ID_PREFIX + instance.id;
        instance.status = born.state().status();
        instance.statusChangedAt = now;
        instance.enrolledAt = now;
        instances.persistAndFlush(instance); // the row before its first event, as everywhere else
        record(born.transition(), 1);
        changes.fire(Change.instance(instance.id, instance.tags));
        return instance;
    }

    /**
     * Row lock on the instance (404 if none, or if the scope does not admit it): whoever changes it next, here or in
     * telemetry, waits for us.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Instance lock(UUID id, Scope scope) {
        return instances.findInScope(id, scope, LockModeType.PESSIMISTIC_WRITE)
                .orElseThrow(() -> ApiException.notFound("Instance"));
    }

    /** A new name or tags (given ones only); a decommissioned instance is history and cannot change. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Instance change(UUID id, Scope scope, Optional<String> name, Optional<List<String>> tags) {
        Instance instance = lock(id, scope);
        if (instance.isDecommissioned()) {
            throw new ApiException(409, "instance_decommissioned", "A decommissioned instance cannot be changed");
        }
        // Heard under the tags before and after: a page of either scope sees it enter or leave.
        Set<String> heardBy = new HashSet<>(instance.tags);
        name.ifPresent(n -> instance.name = n);
        tags.ifPresent(t -> instance.tags = new ArrayList<>(t));
        heardBy.addAll(instance.tags);
        changes.fire(Change.instance(id, heardBy));
        return instance;
    }

    /** Decommissions the instance; empty if it already was (nothing changes). */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<InstanceDecommissioned> decommission(UUID id, Scope scope, Instant now) {
        Instance instance = lock(id, scope);
        Presence.Step step = Presence.decommission(Presence.State.stored(id, instance.status, instance.lastSeenAt,
                instance.lastReportAt, instance.metricsAt), now);
        if (step.transition().isEmpty()) {
            return Optional.empty();
        }
        int neverSeen = neverSeen(instance.status, instance.lastSeenAt) ? -1 : 0;
        instance.status = step.state().status();
        instance.statusChangedAt = now;
        instance.decommissionedAt = now;
        record(step.transition(), neverSeen);
        changes.fire(Change.instance(id, instance.tags));
        return Optional.of(new InstanceDecommissioned(id, instance.mqttClientId, now));
    }

    /**
     * Instances silent for longer than {@code timeout} turn offline ({@link Presence#timeOut}), in one statement.
     * Returns how many did.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public int timeOut(Instant now, Duration timeout) {
        OffsetDateTime at = Times.utc(now);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SWEEP)) {
            ps.setObject(1, at.minus(timeout));
            ps.setObject(2, at);
            ps.setObject(3, at);
            ps.setInt(4, Change.MAX_EACH + 1); // one more than are announced one by one: enough to know it is "many"
            int gone = 0;
            Map<UUID, List<String>> changed = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    gone = rs.getInt(1);
                    UUID id = rs.getObject(2, UUID.class);
                    if (id != null) {
                        changed.put(id, tags(rs, 3));
                    }
                }
            }
            announce(changed);
            return gone;
        } catch (SQLException e) {
            throw new IllegalStateException("The presence sweep failed", e);
        }
    }

    /**
     * Applies a batch of observations with a handful of batched statements, whatever its size. The instance rows are
     * locked first, so replicas and the presence sweep never interleave on one instance. Idempotent: observations
     * delivered again change nothing a second time.
     *
     * @param maxClockSkew how far ahead of the server's clock telemetry lets a report be stamped
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Observed observe(List<Observation> observations, Duration maxClockSkew) throws SQLException {
        List<Verdict> verdicts = new ArrayList<>(observations.size());
        Set<UUID> cameOnline = new HashSet<>();
        if (observations.isEmpty()) {
            return new Observed(verdicts, cameOnline);
        }
        Set<UUID> ids = new HashSet<>();
        observations.forEach(o -> ids.add(o.instanceId()));
        try (Connection c = dataSource.getConnection()) {
            Map<UUID, Presence.State> rows = lock(c, ids);
            Set<UUID> unseen = new HashSet<>();
            rows.values().stream().filter(r -> neverSeen(r.status(), r.lastSeenAt())).forEach(r -> unseen.add(r.id()));
            Set<UUID> touched = new HashSet<>();
            List<Presence.Transition> transitions = new ArrayList<>();
            for (Observation o : observations) {
                Presence.State state = rows.get(o.instanceId());
                if (state == null) {
                    verdicts.add(Verdict.UNKNOWN_INSTANCE);
                    continue;
                }
                Presence.Step step = Presence.observe(state, o, maxClockSkew);
                if (!step.accepted()) {
                    verdicts.add(Verdict.DECOMMISSIONED_INSTANCE);
                    continue;
                }
                verdicts.add(Verdict.ACCEPTED);
                rows.put(o.instanceId(), step.state());
                touched.add(o.instanceId());
                step.transition().ifPresent(t -> {
                    transitions.add(t);
                    if (t.to() == InstanceStatus.ONLINE) {
                        cameOnline.add(t.instanceId());
                    } else {
                        cameOnline.remove(t.instanceId());
                    }
                });
            }
            update(c, rows, touched);
            unseen.retainAll(touched); // heard from at last
            record(c, transitions, -unseen.size());
            Set<UUID> changed = new HashSet<>();
            transitions.forEach(t -> changed.add(t.instanceId()));
            // Heard from at last without a change of status (a first metrics message): no longer "never seen".
            changed.addAll(unseen);
            if (changed.size() > Change.MAX_EACH) {
                changes.fire(Change.many(Change.Kind.INSTANCE));
            } else if (!changed.isEmpty()) {
                announce(tagsOf(c, changed));
            }
        }
        return new Observed(verdicts, cameOnline);
    }

    /** Locks the rows. */
    private static Map<UUID, Presence.State> lock(Connection c, Set<UUID> ids) throws SQLException {
        Map<UUID, Presence.State> rows = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(LOCK_INSTANCES)) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    rows.put(id, Presence.State.stored(id, InstanceStatus.fromWire(rs.getString(2)).orElseThrow(),
                            Times.instant(rs.getObject(3, OffsetDateTime.class)),
                            Times.instant(rs.getObject(4, OffsetDateTime.class)),
                            Times.instant(rs.getObject(5, OffsetDateTime.class))));
                }
            }
        }
        return rows;
    }

    /** The touched rows, in lock order: presence in one array statement, the latest metrics in one batch. */
    private void update(Connection c, Map<UUID, Presence.State> rows, Set<UUID> touched) throws SQLException {
        int n = 0;
        UUID[] ids = new UUID[touched.size()];
        String[] statuses = new String[ids.length];
        Long[] changed = new Long[ids.length];
        Long[] seen = new Long[ids.length];
        Long[] reported = new Long[ids.length];
        String[] versions = new String[ids.length];
        Long[] uptimes = new Long[ids.length];
        try (PreparedStatement metrics = c.prepareStatement(UPDATE_METRICS)) {
            boolean anyMetrics = false;
            for (Presence.State row : rows.values()) {
                if (!touched.contains(row.id())) {
                    continue;
                }
                ids[n] = row.id();
                statuses[n] = row.status().wire();
                changed[n] = Times.micros(row.statusChangedAt());
                seen[n] = Times.micros(row.lastSeenAt());
                reported[n] = Times.micros(row.lastReportAt());
                versions[n] = row.version();
                uptimes[n] = row.uptime();
                n++;
                Observation.LatestMetrics m = row.latest();
                if (m != null) {
                    metrics.setObject(1, Times.utc(row.metricsAt()));
                    SqlParameters.setDouble(metrics, 2, m.stabilityScore());
                    metrics.setString(3, m.coreVersion());
                    metrics.setString(4, m.supervisorVersion());
                    metrics.setString(5, m.osVersion());
                    SqlParameters.setInt(metrics, 6, m.totalDevices());
                    SqlParameters.setInt(metrics, 7, m.totalEntities());
                    SqlParameters.setInt(metrics, 8, m.pendingUpdates());
                    metrics.setString(9, SqlParameters.json(mapper, m.metadata()));
                    metrics.setObject(10, row.id());
                    metrics.addBatch();
                    anyMetrics = true;
                }
            }
            if (n > 0) {
                try (PreparedStatement presence = c.prepareStatement(UPDATE_PRESENCE)) {
                    presence.setArray(1, c.createArrayOf("uuid", Arrays.copyOf(ids, n)));
                    presence.setArray(2, c.createArrayOf("varchar", Arrays.copyOf(statuses, n)));
                    presence.setArray(3, c.createArrayOf("int8", Arrays.copyOf(changed, n)));
                    presence.setArray(4, c.createArrayOf("int8", Arrays.copyOf(seen, n)));
                    presence.setArray(5, c.createArrayOf("int8", Arrays.copyOf(reported, n)));
                    presence.setArray(6, c.createArrayOf("varchar", Arrays.copyOf(versions, n)));
                    presence.setArray(7, c.createArrayOf("int8", Arrays.copyOf(uptimes, n)));
                    presence.executeUpdate();
                }
            }
            if (anyMetrics) {
                metrics.executeBatch();
            }
        }
    }

    /** The tags of these (locked) instances, by id. */
    private static Map<UUID, List<String>> tagsOf(Connection c, Set<UUID> ids) throws SQLException {
        Map<UUID, List<String>> tags = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(TAGS)) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tags.put(rs.getObject(1, UUID.class), tags(rs, 2));
                }
            }
        }
        return tags;
    }

    private static List<String> tags(ResultSet rs, int column) throws SQLException {
        java.sql.Array array = rs.getArray(column);
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }

    /** Tells the console (after the commit) that these instances changed, each under its tags, or "many". */
    private void announce(Map<UUID, List<String>> changed) {
        Change.fire(changes, Change.Kind.INSTANCE,
                changed.entrySet().stream().map(e -> Change.instance(e.getKey(), e.getValue())).toList());
    }

    /** Offline and never heard from: counted apart in instance_count ({@link InstanceCounts#NEVER_SEEN}). */
    private static boolean neverSeen(InstanceStatus status, Instant lastSeenAt) {
        return status == InstanceStatus.OFFLINE && lastSeenAt == null;
    }

    /** One transition of an entity path (enrollment, decommissioning), recorded the way a batch records its own. */
    private void record(Optional<Presence.Transition> transition, int neverSeenDelta) {
        try (Connection c = dataSource.getConnection()) {
            record(c, transition.stream().toList(), neverSeenDelta);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot record an instance's transition", e);
        }
    }

    /**
     * Every transition in instance_event, and instance_count kept exact: the deltas summed by state, and the change
     * in the never seen (a first report need not change the status: a first metrics message does not).
     */
    private static void record(Connection c, List<Presence.Transition> transitions, int neverSeenDelta)
            throws SQLException {
        if (transitions.isEmpty() && neverSeenDelta == 0) {
            return;
        }
        Map<String, Long> deltas = new HashMap<>();
        if (neverSeenDelta != 0) {
            deltas.put(InstanceCounts.NEVER_SEEN, (long) neverSeenDelta);
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_EVENT)) {
            for (Presence.Transition t : transitions) {
                ps.setObject(1, t.instanceId());
                ps.setObject(2, Times.utc(t.at()));
                ps.setString(3, t.from() == null ? null : t.from().wire());
                ps.setString(4, t.to().wire());
                ps.setString(5, t.reason().wire());
                ps.addBatch();
                if (t.from() != null) {
                    deltas.merge(t.from().wire(), -1L, Long::sum);
                }
                deltas.merge(t.to().wire(), 1L, Long::sum);
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement(COUNT_TRANSITIONS)) {
            ps.setArray(1, c.createArrayOf("varchar", deltas.keySet().toArray()));
            ps.setArray(2, c.createArrayOf("int8", deltas.values().toArray()));
            ps.executeUpdate();
        }
    }
}
