package io.omnii.server.auth;

import io.omnii.server.common.Digests;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.MessageDigest;

/**
 * The configured admin token (the break-glass credential: admin, unscoped, for when no account works), held only
 * as a digest. Candidates are compared through digests of equal length in
 * constant time, so neither the token's content nor its length leaks through timing.
 */
@ApplicationScoped
public class AdminToken {

    static final int MIN_LENGTH = 16;

    private final byte[] expectedDigest;

    AdminToken(AdminConfig config) {
        this.expectedDigest = config.token()
                .filter(t -> t.length() >= MIN_LENGTH)
                .map(Digests::sha256)
                .orElse(null);
    }

    void checkConfigured(@Observes StartupEvent event) {
        if (expectedDigest == null) {
            throw new IllegalStateException("omnii.admin.token (environment variable OMNII_ADMIN_TOKEN) must be set to "
                    + "a secret of at least " + MIN_LENGTH + " characters");
        }
    }

    /** Whether a presented bearer token is this one. */
    public boolean matches(String token) {
        return expectedDigest != null && token != null && MessageDigest.isEqual(expectedDigest, Digests.sha256(token));
    }

}
