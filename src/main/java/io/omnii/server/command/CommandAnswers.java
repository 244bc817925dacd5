package io.omnii.server.command;

import io.agroal.api.AgroalDataSource;
import io.omnii.server.common.Times;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Completes the commands an instance answered: its next status answers get_status, its next metrics get_metrics.
 * Telemetry calls it inside its batch transaction, so a completion commits with the report that answered.
 */
@ApplicationScoped
public class CommandAnswers {

    // sent_at is when the command was published. An answer can overtake the broker's PUBACK, so a command still
    // waiting for it ('sending') is completed as well as a 'sent' one.
    private static final String COMPLETE_COMMANDS = """
            UPDATE command SET state = 'completed', completed_at = ?, updated_at = ?
             WHERE instance_id = ? AND command = ? AND state IN ('sending', 'sent') AND sent_at <= ?""";

    /** An instance's report that answers {@code command}, received at {@code at}. */
    public record Answer(UUID instanceId, CommandName command, Instant at) {
    }

    private final AgroalDataSource dataSource;

    CommandAnswers(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Completes every command sent before its answer arrived; returns how many were, by command. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Map<CommandName, Integer> complete(List<Answer> answers) throws SQLException {
        Map<CommandName, Integer> completed = new EnumMap<>(CommandName.class);
        if (answers.isEmpty()) {
            return completed;
        }
        // One statement per instance and command is enough: the latest arrival completes everything sent before it.
        Map<String, Answer> latest = new HashMap<>();
        answers.forEach(k -> latest.merge(k.instanceId() + k.command().wire(), k,
                (a, b) -> a.at().isAfter(b.at()) ? a : b));
        List<Answer> statements = List.copyOf(latest.values());
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(COMPLETE_COMMANDS)) {
            for (Answer k : statements) {
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
}
