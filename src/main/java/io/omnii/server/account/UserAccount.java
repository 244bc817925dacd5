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
@Table(name = "user_account")
public class UserAccount {

    @Id
    public UUID id;

    public String username;

    @Column(name = "display_name")
    public String displayName;

    @Convert(converter = RoleConverter.class)
    public Role role;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "scope_tags", columnDefinition = "text[]")
    public List<String> scopeTags = new ArrayList<>();

    /** Argon2id, as a PHC string (PasswordHasher). */
    @Column(name = "password_hash")
    public String passwordHash;

    public boolean disabled;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "last_sign_in_at")
    public Instant lastSignInAt;

    public Scope scope() {
        return Scope.of(scopeTags);
    }
}
