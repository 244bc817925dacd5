package io.omnii.server.command;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
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
    // waiting for it ('sending') is completed as well as a 'sent' one. One statement for the whole batch of answers,
    // RETURNING what moved, joined to the instance for the tags that say who may hear of it.
    private static final String COMPLETE_COMMANDS = """
            UPDATE command c SET state = 'completed', completed_at = a.at, updated_at = a.at
              FROM unnest(?, ?, CAST(? AS timestamptz[])) AS a(instance_id, command, at), instance i
             WHERE c.instance_id = a.instance_id AND c.command = a.command AND c.state IN ('sending', 'sent')
               AND c.sent_at <= a.at AND i.id = c.instance_id
            RETURNING c.id, c.batch_id, c.command, i.tags""";

    /** An instance's report that answers {@code command}, received at {@code at}. */
    public record Answer(UUID instanceId, CommandName command, Instant at) {
    }

    private final AgroalDataSource dataSource;
    private final CommandChanges changes;

    CommandAnswers(AgroalDataSource dataSource, CommandChanges changes) {
        this.dataSource = dataSource;
        this.changes = changes;
    }

    /** Completes every command sent before its answer arrived; returns how many were, by command. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Map<CommandName, Integer> complete(List<Answer> answers) throws SQLException {
        Map<CommandName, Integer> completed = new EnumMap<>(CommandName.class);
        if (answers.isEmpty()) {
            return completed;
        }
        // One row per instance and command is enough: the latest arrival completes everything sent before it.
        Map<String, Answer> latest = new HashMap<>();
        answers.forEach(k -> latest.merge(k.instanceId() + k.command().wire(), k,
                (a, b) -> a.at().isAfter(b.at()) ? a : b));
        List<Answer> distinct = List.copyOf(latest.values());
        List<CommandChanges.Moved> moved = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(COMPLETE_COMMANDS)) {
            ps.setArray(1, c.createArrayOf("uuid", distinct.stream().map(Answer::instanceId).toArray()));
            ps.setArray(2, c.createArrayOf("varchar", distinct.stream().map(a -> a.command().wire()).toArray()));
            ps.setArray(3, c.createArrayOf("text", distinct.stream().map(a -> a.at().toString()).toArray()));
            try (ResultSet rows = ps.executeQuery()) {
                while (rows.next()) {
                    moved.add(new CommandChanges.Moved(rows.getObject("id", UUID.class),
                            rows.getObject("batch_id", UUID.class), CommandChanges.Moved.tags(rows.getArray("tags"))));
                    CommandName.fromWire(rows.getString("command"))
                            .ifPresent(name -> completed.merge(name, 1, Integer::sum));
                }
            }
        }
        changes.announce(moved);
        return completed;
    }
}
