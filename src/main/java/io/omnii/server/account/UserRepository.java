package io.omnii.server.account;

import io.omnii.server.auth.Role;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class UserRepository implements PanacheRepositoryBase<UserAccount, UUID> {

    /** The user of a username, whatever its case. */
    public Optional<UserAccount> findByUsername(String username) {
        return find("lower(username) = lower(?1)", username).firstResultOptional();
    }

    /** Admins that can still sign in: the last one may be neither disabled nor demoted. */
    public long enabledAdmins() {
        return count("role = ?1 and disabled = false", Role.ADMIN);
    }
}
