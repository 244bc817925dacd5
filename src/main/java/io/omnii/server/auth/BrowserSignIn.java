package io.omnii.server.auth;

import io.omnii.server.common.ApiException;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a browser's sign-in needs wherever it is served (the API's form and the console's page): the session cookie
 * with its attributes, the login-CSRF check and where the browser may be sent afterwards.
 */
public final class BrowserSignIn {

    /** The console's sign-in page: where a browser without a session is sent (see {@link SecurityErrorMappers}). */
    public static final String PAGE = "/console/sign-in";
    /** Every console page and fragment lives under this path. */
    public static final String CONSOLE = "/console/";

    // Where a form sign-in may send the browser: a path on this server, not "//host" nor "/\host".
    // Percent only as %XX, so that the path is a valid URI.
    private static final Pattern SAME_ORIGIN =
            Pattern.compile("/(?![/\\\\])(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2}){0,1000}");

    private static final String SEC_FETCH_SITE = "Sec-Fetch-Site";
    private static final String ORIGIN = "Origin";

    private BrowserSignIn() {
    }

    /** {@code next} when it is a path on this server, else {@code fallback}; never an error, whatever the form sent. */
    public static URI redirectTarget(String next, String fallback) {
        if (next != null && SAME_ORIGIN.matcher(next).matches()) {
            try {
                return new URI(next);
            } catch (URISyntaxException e) {
                // The pattern admits only URI characters; fall back rather than fail a sign-in that succeeded.
            }
        }
        return URI.create(fallback);
    }

    /**
     * Login CSRF: a page on another site could post the form and sign the victim's browser in as the attacker. A
     * browser says where a request comes from (Sec-Fetch-Site, else Origin); a request with neither (curl, a script)
     * is no browser's and passes.
     */
    public static void refuseCrossSite(HttpServerRequest request) {
        String site = request.getHeader(SEC_FETCH_SITE);
        if (site != null) {
            if (!"same-origin".equals(site) && !"none".equals(site)) {
                throw crossSite();
            }
            return;
        }
        String origin = request.getHeader(ORIGIN);
        if (origin != null && !origin(origin).equals(origin(request.scheme() + "://" + request.host()))) {
            throw crossSite();
        }
    }

    /** The request's session secret, if it carries the cookie. */
    public static Optional<String> secret(HttpServerRequest request) {
        Cookie cookie = request.getCookie(SessionCookie.NAME);
        return cookie == null || cookie.getValue().isEmpty() ? Optional.empty() : Optional.of(cookie.getValue());
    }

    /** The Set-Cookie value that signs the browser in. */
    public static String cookie(String secret, HttpServerRequest request) {
        return SessionCookie.NAME + "=" + secret + attributes(request);
    }

    /** The Set-Cookie value that forgets the session. */
    public static String clearedCookie(HttpServerRequest request) {
        return SessionCookie.NAME + "=; Max-Age=0" + attributes(request);
    }

    /** Secure when the client's request was HTTPS (as forwarded by a trusted proxy when forwarding is on). */
    private static String attributes(HttpServerRequest request) {
        return "; Path=/; HttpOnly; SameSite=Strict" + ("https".equals(request.scheme()) ? "; Secure" : "");
    }

    /** scheme://host[:port] in lower case, without the scheme's default port. */
    private static String origin(String origin) {
        String o = origin.toLowerCase(Locale.ROOT);
        if (o.startsWith("http://") && o.endsWith(":80")) {
            return o.substring(0, o.length() - 3);
        }
        if (o.startsWith("https://") && o.endsWith(":443")) {
            return o.substring(0, o.length() - 4);
        }
        return o;
    }

    private static ApiException crossSite() {
        return new ApiException(403, "csrf_failed", "A sign-in sent from another site is refused");
    }
}
