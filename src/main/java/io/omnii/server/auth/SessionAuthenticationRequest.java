package io.omnii.server.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * A browser session's cookie, as {@link RequestAuthentication} found it; an identity provider outside this package
 * (the accounts') turns it into an identity. Its CSRF token, if the request needed one, has already been checked.
 */
public final class SessionAuthenticationRequest extends BaseAuthenticationRequest {

    private final String secret;

    public SessionAuthenticationRequest(String secret) {
        this.secret = secret;
    }

    /** The cookie's value: the session's secret. */
    public String secret() {
        return secret;
    }
}
