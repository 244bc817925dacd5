package io.omnii.server.auth;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The configured admin token, held only as a digest. Candidates are compared through digests of equal length in
 * constant time, so neither the token's content nor its length leaks through timing.
 */
@ApplicationScoped
public class AdminToken {

    static final int MIN_LENGTH = 16;
    private static final String BEARER = "Bearer ";

    private final byte[] expectedDigest;

    AdminToken(AdminConfig config) {
        this.expectedDigest = config.token()
                .filter(t -> t.length() >= MIN_LENGTH)
                .map(AdminToken::sha256)
                .orElse(null);
    }

    void checkConfigured(@Observes StartupEvent event) {
        if (expectedDigest == null) {
            throw new IllegalStateException("omnii.admin.token (environment variable OMNII_ADMIN_TOKEN) must be set to "
                    + "a secret of at least " + MIN_LENGTH + " characters");
        }
    }

    /** Whether an Authorization header carries the token as a bearer credential. */
    public boolean authorizes(String authorizationHeader) {
        if (expectedDigest == null || authorizationHeader == null
                || !authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        return MessageDigest.isEqual(expectedDigest, sha256(authorizationHeader.substring(BEARER.length()).trim()));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
