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

/** A bulk command: one command row per targeted instance points here. */
@Entity
@Table(name = "command_batch")
public class CommandBatch {

    @Id
    public UUID id;

    @Convert(converter = CommandConverters.Name.class)
    public CommandName command;

    /** The target as requested, for the record. */
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> target;

    @Column(name = "created_at")
    public Instant createdAt;

    public int total;
}
