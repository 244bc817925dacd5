package io.omnii.server.matter;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** One commissioning attempt (table matter_commissioning, V4). */
@Entity
@Table(name = "matter_commissioning")
public class MatterCommissioning {

    @Id
    public UUID id;

    /** code or network. */
    public String method;

    @Column(name = "network_only")
    public boolean networkOnly;

    /** pending, succeeded or failed. */
    public String state;

    /** Unsigned 64-bit, once commissioned. */
    @Column(name = "node_id")
    public BigDecimal nodeId;

    @Column(name = "error_code")
    public Integer errorCode;

    public String error;

    /** The incarnation of the replica that relays it and records its outcome. */
    public UUID owner;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "finished_at")
    public Instant finishedAt;
}
