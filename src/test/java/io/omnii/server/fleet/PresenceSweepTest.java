package io.omnii.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.omnii.server.common.Times;
import io.omnii.server.testsupport.PeriodicJobRows;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The sweep's one statement does what the presence rules say, to every state, around the timeout. */
@QuarkusTest
class PresenceSweepTest extends ServerTest {

    @Inject
    PresenceSweep sweep;

    @Inject
    PresenceConfig config;

    @Inject
    AgroalDataSource dataSource;

    /** An instance online until the presence timeout ran out a minute ago; the kept count follows. */
    private void onlineButSilent() {
        Instant seen = clock.instant().minus(config.presenceTimeout()).minusSeconds(60);
        UUID id = UUID.randomUUID();
        db.execute("INSERT INTO instance (id, name, mqtt_client_id, status, status_changed_at, enrolled_at, last_seen_at)"
                + " VALUES ('" + id + "', 'silent', 'ha-" + id + "', 'online', '" + seen + "', '" + seen + "', '" + seen
                + "')");
        db.execute("UPDATE instance_count SET n = n + 1 WHERE status = 'online'");
    }

    @Test
    void theScheduledSweepRunsOncePerIntervalWhicheverReplicaTicks() {
        PeriodicJobRows.assertRunsOncePerInterval(db, PresenceSweep.JOB, this::onlineButSilent, sweep::scheduled,
                () -> db.count("SELECT count(*) FROM instance WHERE status = 'online'"));
    }

    @Test
    void theSweepTurnsOfflineExactlyWhatThePresenceRulesTimeOut() throws SQLException {
        Instant now = clock.instant();
        Duration timeout = config.presenceTimeout();
        // Offsets from the cutoff far enough apart that the sweep's own clock, a moment later, decides the same.
        List<Duration> offsets = List.of(Duration.ofMinutes(-60), Duration.ofSeconds(-20), Duration.ofSeconds(20),
                Duration.ofMinutes(60));
        Map<UUID, Presence.State> rows = new HashMap<>();
        Map<InstanceStatus, Long> counts = new EnumMap<>(InstanceStatus.class);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO instance (id, name, mqtt_client_id, status, status_changed_at, enrolled_at, last_seen_at)
                VALUES (?, 'swept', ?, ?, ?, ?, ?)""")) {
            for (InstanceStatus status : InstanceStatus.values()) {
                List<Instant> seen = new ArrayList<>();
                seen.add(null);
                offsets.forEach(o -> seen.add(now.minus(timeout).plus(o)));
                for (Instant lastSeen : seen) {
                    UUID id = UUID.randomUUID();
                    ps.setObject(1, id);
                    ps.setString(2, "ha-" + id);
                    ps.setString(3, status.wire());
                    ps.setObject(4, Times.utc(now.minus(Duration.ofDays(1))));
                    ps.setObject(5, Times.utc(now.minus(Duration.ofDays(1))));
                    ps.setObject(6, Times.utc(lastSeen));
                    ps.addBatch();
                    rows.put(id, Presence.State.stored(id, status, lastSeen, null, null));
                    counts.merge(status, 1L, Long::sum);
                }
            }
            ps.executeBatch();
            for (Map.Entry<InstanceStatus, Long> count : counts.entrySet()) {
                db.execute("UPDATE instance_count SET n = " + count.getValue() + " WHERE status = '"
                        + count.getKey().wire() + "'");
            }
        }

        int gone = sweep.sweep();

        Map<UUID, InstanceStatus> expected = new HashMap<>();
        int transitions = 0;
        for (Presence.State row : rows.values()) {
            Presence.Step step = Presence.timeOut(row, now, timeout);
            expected.put(row.id(), step.state().status());
            transitions += step.transition().isPresent() ? 1 : 0;
        }
        assertThat(transitions).isPositive();
        assertThat(gone).isEqualTo(transitions);
        Map<UUID, InstanceStatus> actual = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                ResultSet rs = c.createStatement().executeQuery("SELECT id, status FROM instance")) {
            while (rs.next()) {
                actual.put(rs.getObject(1, UUID.class), InstanceStatus.fromWire(rs.getString(2)).orElseThrow());
            }
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(db.count("SELECT count(*) FROM instance_event WHERE reason = 'heartbeat_timeout'"
                + " AND to_status = 'offline' AND from_status IN ('online', 'error')")).isEqualTo(transitions);
        for (InstanceStatus status : InstanceStatus.values()) {
            long held = expected.values().stream().filter(status::equals).count();
            assertThat(db.count("SELECT n FROM instance_count WHERE status = '" + status.wire() + "'"))
                    .as("count of %s", status).isEqualTo(held);
        }
    }
}
