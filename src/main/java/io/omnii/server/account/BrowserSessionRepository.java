package io.omnii.server.account;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class BrowserSessionRepository implements PanacheRepositoryBase<BrowserSession, UUID> {

    public Optional<BrowserSession> findBySecretHash(byte[] hash) {
        return find("secretHash", hash).firstResultOptional();
    }
}
