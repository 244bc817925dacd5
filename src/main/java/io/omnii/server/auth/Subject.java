package io.omnii.server.auth;

import io.quarkus.security.identity.SecurityIdentity;
import java.util.Optional;

/**
 * Who an authenticated request is: what kind of credential it presented, whose it is, its role and its scope.
 * Carried on the {@link SecurityIdentity} as the attribute {@value #ATTRIBUTE}.
 *
 * @param id the user's or token's id; null for the break-glass token
 * @param name the username, or the token's name, for people reading the audit log
 */
public record Subject(Kind kind, String id, String name, Role role, Scope scope) {

    static final String ATTRIBUTE = "omnii.subject";
    static final String BREAK_GLASS_NAME = "break-glass";

    public enum Kind {
        /** A person signed in to the console: a session cookie. */
        USER("user"),
        /** A personal API token. */
        TOKEN("token"),
        /** {@code omnii.admin.token}: admin, unscoped, for when no account works. */
        BREAK_GLASS("break_glass");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    static Subject breakGlass() {
        return new Subject(Kind.BREAK_GLASS, null, BREAK_GLASS_NAME, Role.ADMIN, Scope.ALL);
    }

    static Optional<Subject> of(SecurityIdentity identity) {
        return identity == null || identity.isAnonymous()
                ? Optional.empty()
                : Optional.ofNullable(identity.getAttribute(ATTRIBUTE));
    }
}
