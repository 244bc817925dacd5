package io.omnii.server.telemetry;

import io.omnii.server.common.Times;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.omnii.server.command.CommandName;
import io.omnii.server.fleet.InstanceStatus;
import io.omnii.server.fleet.TransitionReason;
import jakarta.inject.Singleton;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Writes a batch of reports in one transaction with a handful of batched statements, whatever the batch size. The
 * instance rows are locked first, so replicas and the presence sweep never interleave on one instance. Every write
 * is idempotent: a redelivered message changes nothing a second time.
 */
@Singleton
public class TelemetryStore {

    private static final String LOCK_INSTANCES = """
            SELECT id, status, last_seen_at, last_report_at, metrics_at FROM instance
             WHERE id = ANY(?) ORDER BY id FOR UPDATE""";
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
    // The batch's transitions, summed by state (instance_count, V6).
    private static final String COUNT_TRANSITIONS = """
            UPDATE instance_count c SET n = c.n + d.delta FROM unnest(?::varchar[], ?::bigint[]) AS d(status, delta)
             WHERE c.status = d.status""";
    private static final String INSERT_EVENT = """
            INSERT INTO instance_event (instance_id, at, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?)""";
    private static final String INSERT_SAMPLE = """
            INSERT INTO metrics_sample (instance_id, reported_at, received_at, uptime_seconds, version, stability_score,
                   core_version, supervisor_version, os_version, total_devices, total_entities, pending_updates, metadata)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
            ON CONFLICT (instance_id, reported_at) DO NOTHING""";
    // sent_at is when the command was published. An answer can overtake the broker's PUBACK, so a command still
    // waiting for it ('sending') is completed as well as a 'sent' one.
    private static final String COMPLETE_COMMANDS = """
            UPDATE command SET state = 'completed', completed_at = ?, updated_at = ?
             WHERE instance_id = ? AND command = ? AND state IN ('sending', 'sent') AND sent_at <= ?""";

    private final AgroalDataSource dataSource;
    private final ObjectMapper mapper;
    private final TelemetryConfig config;

    TelemetryStore(AgroalDataSource dataSource, ObjectMapper mapper, TelemetryConfig config) {
        this.dataSource = dataSource;
        this.mapper = mapper;
        this.config = config;
    }

    /** What a batch did: per message null (accepted) or why it was dropped, who came online, commands answered. */
    record Outcome(List<RejectReason> results, Set<UUID> cameOnline, Map<CommandName, Integer> completed) {
    }

    /** An instance's row, as locked, with what this batch changes in it. */
    private static final class Row {
        final UUID id;
        final boolean decommissioned;
        InstanceStatus status;
        Instant statusChangedAt;
        Instant lastSeenAt;
        Instant lastReportAt;
        Instant metricsAt;
        String version;
        Long uptime;
        Report.Metrics latestMetrics;

        Row(UUID id, String status, Instant lastSeenAt, Instant lastReportAt, Instant metricsAt) {
            this.id = id;
            this.status = InstanceStatus.fromWire(status).orElseThrow();
            this.decommissioned = this.status == InstanceStatus.DECOMMISSIONED;
            this.lastSeenAt = lastSeenAt;
            this.lastReportAt = lastReportAt;
            this.metricsAt = metricsAt;
        }

        boolean touched;

        void seen(Instant at) {
            touched = true;
            if (lastSeenAt == null || at.isAfter(lastSeenAt)) {
                lastSeenAt = at;
            }
        }

        /** Whether a status or heartbeat stamped {@code at} applies; if so, it orders the next ones. */
        boolean isCurrent(Instant at, Instant horizon) {
            if (!isNewer(at, lastReportAt, horizon)) {
                return false;
            }
            lastReportAt = at;
            return true;
        }
    }

    /**
     * Whether a report stamped {@code at} is not older than {@code held}, the stamp already applied. A held stamp
     * beyond {@code horizon} (the allowed skew past the report's arrival) came in before such reports were refused,
     * or the server's clock went back: it orders nothing, or the instance would freeze until then.
     */
    private static boolean isNewer(Instant at, Instant held, Instant horizon) {
        return held == null || !at.isBefore(held) || held.isAfter(horizon);
    }

    private record Event(UUID instanceId, Instant at, InstanceStatus from, InstanceStatus to, TransitionReason reason) {
    }

    private record Completion(UUID instanceId, CommandName command, Instant at) {
    }

    @Transactional(value = Transactional.TxType.REQUIRES_NEW, rollbackOn = SQLException.class)
    public Outcome write(List<Pending> batch) throws SQLException {
        List<RejectReason> results = new ArrayList<>(batch.size());
        Set<UUID> ids = new HashSet<>();
        for (Pending p : batch) {
            if (p.parsed().isOk()) {
                ids.add(p.parsed().report().instanceId());
            }
        }
        try (Connection c = dataSource.getConnection()) {
            Map<UUID, Row> rows = lock(c, ids);
            List<Event> events = new ArrayList<>();
            List<Pending> samples = new ArrayList<>();
            List<Completion> completions = new ArrayList<>();
            Set<UUID> cameOnline = new HashSet<>();
            for (Pending p : batch) {
                if (!p.parsed().isOk()) {
                    results.add(p.parsed().reason());
                    continue;
                }
                Report report = p.parsed().report();
                Row row = rows.get(report.instanceId());
                if (row == null || row.decommissioned) {
                    results.add(row == null ? RejectReason.UNKNOWN_INSTANCE : RejectReason.DECOMMISSIONED_INSTANCE);
                    continue;
                }
                results.add(null);
                Instant now = p.receivedAt();
                Instant horizon = now.plus(config.maxClockSkew());
                row.seen(now);
                if (report instanceof Report.Heartbeat h) {
                    if (row.isCurrent(h.timestamp(), horizon)) {
                        row.uptime = h.uptime() != null ? h.uptime() : row.uptime;
                        transition(row, h.status(), TransitionReason.HEARTBEAT, now, events, cameOnline);
                    }
                } else if (report instanceof Report.Status s) {
                    if (row.isCurrent(s.timestamp(), horizon)) {
                        row.version = s.version() != null ? s.version() : row.version;
                        transition(row, s.status(), TransitionReason.REPORTED, now, events, cameOnline);
                    }
                    completions.add(new Completion(row.id, CommandName.GET_STATUS, now));
                } else if (report instanceof Report.Metrics m) {
                    samples.add(p);
                    if (isNewer(m.timestamp(), row.metricsAt, horizon)) {
                        row.metricsAt = m.timestamp();
                        row.latestMetrics = m;
                        row.version = m.version() != null ? m.version() : row.version;
                        row.uptime = m.uptimeSeconds() != null ? m.uptimeSeconds() : row.uptime;
                    }
                    completions.add(new Completion(row.id, CommandName.GET_METRICS, now));
                }
            }
            updateInstances(c, rows.values());
            insertEvents(c, events);
            countTransitions(c, events);
            insertSamples(c, samples);
            return new Outcome(results, cameOnline, completeCommands(c, completions));
        }
    }

    /** Whether the database answers at all: tells a poison message from an outage. */
    public boolean reachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void transition(Row row, InstanceStatus to, TransitionReason reason, Instant at, List<Event> events,
            Set<UUID> cameOnline) {
        if (row.status != to) {
            events.add(new Event(row.id, at, row.status, to, reason));
            row.status = to;
            row.statusChangedAt = at;
            if (to == InstanceStatus.ONLINE) {
                cameOnline.add(row.id);
            } else {
                cameOnline.remove(row.id);
            }
        }
    }

    private static Map<UUID, Row> lock(Connection c, Set<UUID> ids) throws SQLException {
        Map<UUID, Row> rows = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return rows;
        }
        try (PreparedStatement ps = c.prepareStatement(LOCK_INSTANCES)) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    rows.put(id, new Row(id, rs.getString(2), Times.instant(rs.getObject(3, OffsetDateTime.class)),
                            Times.instant(rs.getObject(4, OffsetDateTime.class)),
                            Times.instant(rs.getObject(5, OffsetDateTime.class))));
                }
            }
        }
        return rows;
    }

    private void updateInstances(Connection c, Collection<Row> rows) throws SQLException {
        int n = 0;
        UUID[] ids = new UUID[rows.size()];
        String[] statuses = new String[ids.length];
        Long[] changed = new Long[ids.length];
        Long[] seen = new Long[ids.length];
        Long[] reported = new Long[ids.length];
        String[] versions = new String[ids.length];
        Long[] uptimes = new Long[ids.length];
        try (PreparedStatement metrics = c.prepareStatement(UPDATE_METRICS)) {
            boolean anyMetrics = false;
            for (Row row : rows) {
                if (!row.touched) {
                    continue;
                }
                ids[n] = row.id;
                statuses[n] = row.status.wire();
                changed[n] = Times.micros(row.statusChangedAt);
                seen[n] = Times.micros(row.lastSeenAt);
                reported[n] = Times.micros(row.lastReportAt);
                versions[n] = row.version;
                uptimes[n] = row.uptime;
                n++;
                Report.Metrics m = row.latestMetrics;
                if (m != null) {
                    metrics.setObject(1, Times.utc(m.timestamp()));
                    setDouble(metrics, 2, m.stabilityScore());
                    metrics.setString(3, m.coreVersion());
                    metrics.setString(4, m.supervisorVersion());
                    metrics.setString(5, m.osVersion());
                    setInt(metrics, 6, m.totalDevices());
                    setInt(metrics, 7, m.totalEntities());
                    setInt(metrics, 8, m.pendingUpdates());
                    metrics.setString(9, json(m.metadata()));
                    metrics.setObject(10, row.id);
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

    /** Keeps instance_count exact: the batch's transitions summed by state, one statement. */
    private static void countTransitions(Connection c, List<Event> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        Map<String, Long> deltas = new HashMap<>();
        for (Event e : events) {
            deltas.merge(e.from().wire(), -1L, Long::sum);
            deltas.merge(e.to().wire(), 1L, Long::sum);
        }
        try (PreparedStatement ps = c.prepareStatement(COUNT_TRANSITIONS)) {
            ps.setArray(1, c.createArrayOf("varchar", deltas.keySet().toArray()));
            ps.setArray(2, c.createArrayOf("int8", deltas.values().toArray()));
            ps.executeUpdate();
        }
    }

    private static void insertEvents(Connection c, List<Event> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_EVENT)) {
            for (Event e : events) {
                ps.setObject(1, e.instanceId());
                ps.setObject(2, Times.utc(e.at()));
                ps.setString(3, e.from().wire());
                ps.setString(4, e.to().wire());
                ps.setString(5, e.reason().wire());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void insertSamples(Connection c, List<Pending> samples) throws SQLException {
        if (samples.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_SAMPLE)) {
            for (Pending p : samples) {
                Report.Metrics m = (Report.Metrics) p.parsed().report();
                ps.setObject(1, m.instanceId());
                ps.setObject(2, Times.utc(m.timestamp()));
                ps.setObject(3, Times.utc(p.receivedAt()));
                setLong(ps, 4, m.uptimeSeconds());
                ps.setString(5, m.version());
                setDouble(ps, 6, m.stabilityScore());
                ps.setString(7, m.coreVersion());
                ps.setString(8, m.supervisorVersion());
                ps.setString(9, m.osVersion());
                setInt(ps, 10, m.totalDevices());
                setInt(ps, 11, m.totalEntities());
                setInt(ps, 12, m.pendingUpdates());
                ps.setString(13, json(m.metadata()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static Map<CommandName, Integer> completeCommands(Connection c, List<Completion> completions)
            throws SQLException {
        Map<CommandName, Integer> completed = new EnumMap<>(CommandName.class);
        if (completions.isEmpty()) {
            return completed;
        }
        // One statement per instance and command is enough: the latest arrival completes everything sent before it.
        Map<String, Completion> latest = new HashMap<>();
        completions.forEach(k -> latest.merge(k.instanceId() + k.command().wire(), k,
                (a, b) -> a.at().isAfter(b.at()) ? a : b));
        List<Completion> statements = List.copyOf(latest.values());
        try (PreparedStatement ps = c.prepareStatement(COMPLETE_COMMANDS)) {
            for (Completion k : statements) {
                ps.setObject(1, Times.utc(k.at()));
                ps.setObject(2, Times.utc(k.at()));
                ps.setObject(3, k.instanceId());
                ps.setString(4, k.command().wire());
                ps.setObject(5, Times.utc(k.at()));
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] > 0) {
                    completed.merge(statements.get(i).command(), counts[i], Integer::sum);
                }
            }
        }
        return completed;
    }

    private String json(Map<String, Object> value) {
        if (value == null) {
            return null;
        }
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }


    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, v);
        }
    }

    private static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, v);
        }
    }
}
