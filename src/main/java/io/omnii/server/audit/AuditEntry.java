package io.omnii.server.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One audit entry as stored. Written only by {@link AuditLog}, never changed (a trigger refuses it). The kinds,
 * actions and outcomes are kept as the text stored, not as enums: the listing must show whatever a row holds, even
 * a row someone edited past the trigger.
 */
@Entity
@Table(name = "audit_entry")
public class AuditEntry {

    @Id
    public Long seq;

    public Instant at;

    @Column(name = "actor_kind")
    public String actorKind;

    @Column(name = "actor_id")
    public String actorId;

    @Column(name = "actor_name")
    public String actorName;

    @Column(name = "actor_role")
    public String actorRole;

    public String address;

    @Column(name = "request_id")
    public String requestId;

    public String action;

    @Column(name = "target_type")
    public String targetType;

    @Column(name = "target_id")
    public String targetId;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "target_tags", columnDefinition = "text[]")
    public List<String> targetTags;

    public String outcome;

    /** Canonical JSON as written (a String, so Hibernate passes it through untouched); jsonb respells it. */
    @JdbcTypeCode(SqlTypes.JSON)
    public String detail;

    @Column(name = "prev_hash")
    public String prevHash;

    public String hash;
}
