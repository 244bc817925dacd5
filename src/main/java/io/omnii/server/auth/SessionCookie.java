package io.omnii.server.auth;

import io.omnii.server.common.Digests;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The browser session's cookie and its CSRF token. The token is derived from the session's secret
 * (base64url(SHA-256("omnii-csrf:" + secret))), so it needs no storage, and a page that can read it (the sign-in
 * answer) cannot compute the cookie from it.
 */
public final class SessionCookie {

    public static final String NAME = "omnii_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final String CSRF_CONTEXT = "omnii-csrf:";

    private SessionCookie() {
    }

    /** The CSRF token that goes with a session's secret. */
    public static String csrfToken(String secret) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Digests.sha256(CSRF_CONTEXT + secret));
    }

    /** Whether a presented CSRF token is the session's, compared in constant time; false when there is none. */
    public static boolean csrfMatches(String secret, String presented) {
        return presented != null
                && MessageDigest.isEqual(Digests.sha256(csrfToken(secret)), Digests.sha256(presented));
    }

    /** Whether a request of this method changes state, so that a cookie alone may not authenticate it. */
    public static boolean changesState(String method) {
        return !(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
    }

}
