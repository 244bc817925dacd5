package io.omnii.server.command;

import io.omnii.server.common.Times;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What crosses the wire for commands, over HTTP and over MQTT. */
public final class CommandPayloads {

    private static final String PAYLOAD = "A JSON object, sent to the instance as the command's payload";

    private CommandPayloads() {
    }

    /** POST /instances/{id}/commands. */
    @ValidCommand
    public record CommandRequest(String command,
            @Schema(implementation = Map.class, description = PAYLOAD) JsonNode payload, Integer ttlSeconds)
            implements ValidCommand.Fields {
    }

    /** POST /commands: one of the target's fields picks the instances. */
    @ValidCommand
    @OneTarget
    public record BulkCommandRequest(String command,
            @Schema(implementation = Map.class, description = PAYLOAD) JsonNode payload, Integer ttlSeconds,
            Target target) implements ValidCommand.Fields {
    }

    /** Instances by id, by status, or by tags (all must match). Decommissioned instances are never targeted. */
    public record Target(List<String> instanceIds, String status, List<String> tags) {
    }

    public record CommandView(UUID id, UUID instanceId, @Schema(nullable = true) UUID batchId, CommandName command,
            Map<String, Object> payload, CommandState state, long createdAt, long expiresAt, long updatedAt,
            @Schema(nullable = true) Long sentAt, @Schema(nullable = true) Long completedAt, int attempts,
            @Schema(nullable = true) String error) {

        static CommandView of(Command c) {
            return new CommandView(c.id, c.instanceId, c.batchId, c.command, c.payload, c.state,
                    c.createdAt.toEpochMilli(), c.expiresAt.toEpochMilli(), c.updatedAt.toEpochMilli(),
                    Times.millis(c.sentAt), Times.millis(c.completedAt), c.attempts, c.error);
        }
    }

    /** A bulk command and how many of its commands are in each state. */
    public record BatchView(UUID batchId, CommandName command, long createdAt, int total, Map<String, Long> counts) {
    }

    /** The message on server/{id}/commands: the guide's command and payload, plus our id and issue time. */
    public record CommandMessage(String command, JsonNode payload, UUID commandId, long issuedAt) {
    }
}
