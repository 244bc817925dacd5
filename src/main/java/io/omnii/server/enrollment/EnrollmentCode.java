package io.omnii.server.enrollment;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A one-time enrollment code; only its keyed hash is kept. */
@Entity
@Table(name = "enrollment_code")
public class EnrollmentCode {

    @Id
    public UUID id;

    @Column(name = "code_hash")
    public String codeHash;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "used_at")
    public Instant usedAt;

    @Column(name = "instance_id")
    public UUID instanceId;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    /** Fingerprint of the key the hash was made under ({@link CodeHasher#keyId()}); null for codes made before. */
    @Column(name = "key_id")
    public String keyId;

    /** The scope's tags of whoever made it (none for an unscoped caller): the instance it enrolls carries them. */
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]")
    public List<String> tags = new ArrayList<>();

    /** The state under the current key, whose fingerprint is {@code currentKeyId}. */
    public CodeState state(Instant now, String currentKeyId) {
        if (usedAt != null) {
            return CodeState.USED;
        }
        if (revokedAt != null) {
            return CodeState.REVOKED;
        }
        if (!expiresAt.isAfter(now)) {
            return CodeState.EXPIRED;
        }
        return keyId == null || keyId.equals(currentKeyId) ? CodeState.ACTIVE : CodeState.VOID;
    }
}
