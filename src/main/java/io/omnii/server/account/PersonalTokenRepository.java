package io.omnii.server.account;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class PersonalTokenRepository implements PanacheRepositoryBase<PersonalToken, UUID> {

    public Optional<PersonalToken> findByHash(byte[] hash) {
        return find("tokenHash", hash).firstResultOptional();
    }
}
