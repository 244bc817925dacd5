package io.omnii.server.account;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "omnii.accounts")
public interface AccountsConfig {

    /** The first admin, created at start-up when there is no user at all. */
    Bootstrap bootstrap();

    /** Browser sessions. */
    Session session();

    /** Password hashing (Argon2id). */
    Hashing hashing();

    /** Throttling of failed sign-ins; see docs/security.md. */
    Throttle throttle();

    interface Bootstrap {

        /** Username of the first admin; unset, no user is created (the break-glass token still works). */
        Optional<String> username();

        /** Its password (10..256 characters), from a secret. Exactly one of password and password-hash. */
        Optional<String> password();

        /** Its password as an Argon2id PHC string (scripts/hash-password.sh), from a secret. */
        Optional<String> passwordHash();
    }

    interface Session {

        /** A session not used for this long ends. */
        @WithDefault("30M")
        Duration idleTimeout();

        /** A session ends this long after sign-in, used or not. */
        @WithDefault("12H")
        Duration absoluteTimeout();

        /** How often sessions past their idle or absolute expiry are deleted. */
        @WithDefault("10M")
        Duration sweepInterval();
    }

    interface Hashing {

        /** Argon2id hashes computed at once (19 MiB each); more wait for a permit. */
        @WithDefault("4")
        int maxConcurrent();

        /** How long a hash waits for a permit before the request answers 503. */
        @WithDefault("2S")
        Duration maxWait();
    }

    interface Throttle {

        /** Failed sign-ins one username may take in a burst. */
        @WithDefault("10")
        int perUserBurst();

        /** Failed sign-ins per hour one username regains after its burst is spent. */
        @WithDefault("10")
        double perUserPerHour();

        /** Failed sign-ins one client address may make in a burst. */
        @WithDefault("30")
        int perAddressBurst();

        /** Failed sign-ins per hour one client address regains after its burst is spent. */
        @WithDefault("30")
        double perAddressPerHour();
    }
}
