package io.omnii.server.telemetry;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.omnii.server.command.CommandAnswers;
import io.omnii.server.command.CommandName;
import io.omnii.server.common.SqlParameters;
import io.omnii.server.common.Times;
import io.omnii.server.fleet.InstanceWriter;
import io.omnii.server.fleet.Observation;
import jakarta.inject.Singleton;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Writes a batch of reports in one transaction with a handful of batched statements, whatever the batch size: what
 * they tell of their instances through fleet's {@link InstanceWriter}, the metrics history here, the commands they
 * answer through {@link CommandAnswers}. Every write is idempotent: a redelivered message changes nothing a second
 * time.
 */
@Singleton
public class TelemetryStore {

    private static final String INSERT_SAMPLE = """
            INSERT INTO metrics_sample (instance_id, reported_at, received_at, uptime_seconds, version, stability_score,
                   core_version, supervisor_version, os_version, total_devices, total_entities, pending_updates, metadata)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)
            ON CONFLICT (instance_id, reported_at) DO NOTHING""";

    private final AgroalDataSource dataSource;
    private final ObjectMapper mapper;
    private final TelemetryConfig config;
    private final InstanceWriter instances;
    private final CommandAnswers commands;

    TelemetryStore(AgroalDataSource dataSource, ObjectMapper mapper, TelemetryConfig config, InstanceWriter instances,
            CommandAnswers commands) {
        this.dataSource = dataSource;
        this.mapper = mapper;
        this.config = config;
        this.instances = instances;
        this.commands = commands;
    }

    /** What a batch did: per message null (accepted) or why it was dropped, who came online, commands answered. */
    record Outcome(List<RejectReason> results, Set<UUID> cameOnline, Map<CommandName, Integer> completed) {
    }

    @Transactional(value = Transactional.TxType.REQUIRES_NEW, rollbackOn = SQLException.class)
    public Outcome write(List<Pending> batch) throws SQLException {
        List<Observation> observations = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            if (p.parsed().isOk()) {
                observations.add(observation(p.parsed().report(), p.receivedAt()));
            }
        }
        InstanceWriter.Observed observed = instances.observe(observations, config.maxClockSkew());
        List<RejectReason> results = new ArrayList<>(batch.size());
        List<Pending> samples = new ArrayList<>();
        List<CommandAnswers.Answer> answers = new ArrayList<>();
        int next = 0;
        for (Pending p : batch) {
            if (!p.parsed().isOk()) {
                results.add(p.parsed().reason());
                continue;
            }
            InstanceWriter.Verdict verdict = observed.verdicts().get(next++);
            if (verdict != InstanceWriter.Verdict.ACCEPTED) {
                results.add(verdict == InstanceWriter.Verdict.UNKNOWN_INSTANCE ? RejectReason.UNKNOWN_INSTANCE
                        : RejectReason.DECOMMISSIONED_INSTANCE);
                continue;
            }
            results.add(null);
            Report report = p.parsed().report();
            if (report instanceof Report.Status) {
                answers.add(new CommandAnswers.Answer(report.instanceId(), CommandName.GET_STATUS, p.receivedAt()));
            } else if (report instanceof Report.Metrics) {
                samples.add(p);
                answers.add(new CommandAnswers.Answer(report.instanceId(), CommandName.GET_METRICS, p.receivedAt()));
            }
        }
        insertSamples(samples);
        return new Outcome(results, observed.cameOnline(), commands.complete(answers));
    }

    /** Whether the database answers at all: tells a poison message from an outage. */
    public boolean reachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** A report as fleet's presence rules see it. */
    private static Observation observation(Report report, Instant receivedAt) {
        if (report instanceof Report.Heartbeat h) {
            return new Observation.Heartbeat(h.instanceId(), h.timestamp(), receivedAt, h.status(), h.uptime());
        }
        if (report instanceof Report.Status s) {
            return new Observation.Status(s.instanceId(), s.timestamp(), receivedAt, s.status(), s.version());
        }
        Report.Metrics m = (Report.Metrics) report;
        return new Observation.Metrics(m.instanceId(), m.timestamp(), receivedAt, m.version(), m.uptimeSeconds(),
                new Observation.LatestMetrics(m.stabilityScore(), m.coreVersion(), m.supervisorVersion(),
                        m.osVersion(), m.totalDevices(), m.totalEntities(), m.pendingUpdates(), m.metadata()));
    }

    /** Into metrics_sample, on the batch's connection (the transaction's), asked for only when there are any. */
    private void insertSamples(List<Pending> samples) throws SQLException {
        if (samples.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT_SAMPLE)) {
            for (Pending p : samples) {
                Report.Metrics m = (Report.Metrics) p.parsed().report();
                ps.setObject(1, m.instanceId());
                ps.setObject(2, Times.utc(m.timestamp()));
                ps.setObject(3, Times.utc(p.receivedAt()));
                SqlParameters.setLong(ps, 4, m.uptimeSeconds());
                ps.setString(5, m.version());
                SqlParameters.setDouble(ps, 6, m.stabilityScore());
                ps.setString(7, m.coreVersion());
                ps.setString(8, m.supervisorVersion());
                ps.setString(9, m.osVersion());
                SqlParameters.setInt(ps, 10, m.totalDevices());
                SqlParameters.setInt(ps, 11, m.totalEntities());
                SqlParameters.setInt(ps, 12, m.pendingUpdates());
                ps.setString(13, SqlParameters.json(mapper, m.metadata()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
