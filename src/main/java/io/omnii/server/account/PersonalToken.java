package io.omnii.server.account;

import io.omnii.server.auth.Role;
import io.omnii.server.auth.Scope;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "personal_token")
public class PersonalToken {

    @Id
    public UUID id;

    @Column(name = "user_id")
    public UUID userId;

    public String name;

    /** SHA-256 of the token. */
    @Column(name = "token_hash")
    public byte[] tokenHash;

    /** At most the owner's; null means the owner's, whatever it is when the token is used. */
    @Convert(converter = RoleConverter.class)
    public Role role;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "scope_tags", columnDefinition = "text[]")
    public List<String> scopeTags = new ArrayList<>();

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    public Scope scope() {
        return Scope.of(scopeTags);
    }

    boolean usable(Instant now) {
        return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }
}
