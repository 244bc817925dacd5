package io.omnii.server.account;

import io.omnii.server.audit.Actor;
import io.omnii.server.audit.AuditAction;
import io.omnii.server.audit.AuditLog;
import io.omnii.server.audit.Outcome;
import io.omnii.server.audit.Target;
import io.omnii.server.auth.Role;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The first admin, from configuration (username plus a password or an Argon2id hash, from a secret), created at
 * start-up only while there is no user at all. Replicas starting together serialise on an advisory lock, so exactly
 * one creates it. The password is never logged.
 */
@ApplicationScoped
public class AccountBootstrap {

    private static final Pattern USERNAME = Pattern.compile(AccountPayloads.USERNAME);

    private final AccountsConfig.Bootstrap config;
    private final PasswordHasher hasher;
    private final AccountService accounts;
    private final UserRepository users;
    private final EntityManager em;
    private final AuditLog audit;

    AccountBootstrap(AccountsConfig config, PasswordHasher hasher, AccountService accounts, UserRepository users,
            EntityManager em, AuditLog audit) {
        this.config = config.bootstrap();
        this.hasher = hasher;
        this.accounts = accounts;
        this.users = users;
        this.em = em;
        this.audit = audit;
    }

    void onStart(@Observes StartupEvent event) {
        bootstrap();
    }

    /** Creates the configured admin if there is no user; answers whether it did. */
    public boolean bootstrap() {
        Optional<String> username = config.username().filter(u -> !u.isBlank());
        if (username.isEmpty()) {
            return false;
        }
        if (!USERNAME.matcher(username.get()).matches()) {
            throw new IllegalStateException("omnii.accounts.bootstrap.username " + AccountPayloads.USERNAME_RULE);
        }
        String hash = passwordHash();
        return QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("SELECT pg_advisory_xact_lock(hashtext('omnii.account.bootstrap'))").getSingleResult();
            if (users.count() > 0) {
                return false;
            }
            UserAccount admin = accounts.insert(username.get(), username.get(), Role.ADMIN, List.of(), hash);
            audit.record(Actor.system(), AuditAction.USER_CREATE, Target.user(admin.id.toString()), Outcome.SUCCESS,
                    Map.of("username", admin.username, "role", Role.ADMIN.wireName(), "bootstrap", true));
            Log.infof("Created the first admin, %s, from omnii.accounts.bootstrap", username.get());
            return true;
        });
    }

    private String passwordHash() {
        Optional<String> password = config.password().filter(p -> !p.isEmpty());
        Optional<String> hash = config.passwordHash().filter(p -> !p.isEmpty());
        if (password.isPresent() == hash.isPresent()) {
            throw new IllegalStateException("omnii.accounts.bootstrap.username needs exactly one of "
                    + "omnii.accounts.bootstrap.password and omnii.accounts.bootstrap.password-hash");
        }
        if (hash.isPresent()) {
            if (PasswordHasher.parse(hash.get()).isEmpty()) {
                throw new IllegalStateException("omnii.accounts.bootstrap.password-hash is not an Argon2id PHC string "
                        + "this server accepts (scripts/hash-password.sh makes one)");
            }
            return hash.get();
        }
        int length = password.get().length();
        if (length < AccountPayloads.PASSWORD_MIN || length > AccountPayloads.PASSWORD_MAX) {
            throw new IllegalStateException("omnii.accounts.bootstrap.password " + AccountPayloads.PASSWORD_RULE);
        }
        return hasher.hash(password.get());
    }
}
