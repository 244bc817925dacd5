package io.omnii.server.command;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One command to one instance, and how far it got. */
@Entity
@Table(name = "command")
public class Command {

    @Id
    public UUID id;

    @Column(name = "instance_id")
    public UUID instanceId;

    @Column(name = "batch_id")
    public UUID batchId;

    @Convert(converter = CommandConverters.Name.class)
    public CommandName command;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> payload;

    @Convert(converter = CommandConverters.State.class)
    public CommandState state;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    @Column(name = "sent_at")
    public Instant sentAt;

    @Column(name = "completed_at")
    public Instant completedAt;

    public int attempts;

    public String error;
}
