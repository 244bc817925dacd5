package io.omnii.server.account;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class PersonalTokenRepository implements PanacheRepositoryBase<PersonalToken, UUID> {

    /** The owner's tokens neither revoked nor expired at {@code now}. */
    public long countLive(UUID owner, Instant now) {
        return count("userId = ?1 and revokedAt is null and (expiresAt is null or expiresAt > ?2)", owner, now);
    }

    public Optional<PersonalToken> findByHash(byte[] hash) {
        return find("tokenHash", hash).firstResultOptional();
    }
}
