package io.omnii.server.enrollment;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

@ConfigMapping(prefix = "omnii.enrollment")
public interface EnrollmentConfig {

    /** Lifetime of a new code when the request names none. */
    @WithDefault("24")
    int defaultExpiryHours();

    /** Longest lifetime a code may be given (30 days). */
    @WithDefault("720")
    int maxExpiryHours();

    /**
     * Key of the HMAC under which codes are stored. Unset, it is derived from the admin token, so rotating the
     * token also voids the codes not yet used.
     */
    Optional<String> codeHashKey();

    /** Throttling of enroll attempts; see docs/security.md for the arithmetic behind the defaults. */
    Throttle throttle();

    interface Throttle {

        /** Attempts one client address may make in a burst. */
        @WithDefault("10")
        int perAddressBurst();

        /** Attempts per hour one client address regains after its burst is spent. */
        @WithDefault("10")
        double perAddressPerHour();

        /** Attempts all clients together may make in a burst. */
        @WithDefault("30")
        int globalBurst();

        /** Attempts per hour all clients together regain after the burst is spent. */
        @WithDefault("60")
        double globalPerHour();
    }
}
