package io.omnii.server.auth;

import io.quarkus.security.ForbiddenException;

/** A state-changing request authenticated by the session cookie without the session's CSRF token: 403. */
public class CsrfRefusedException extends ForbiddenException {

    public CsrfRefusedException() {
        super("The request needs the session's X-CSRF-Token header");
    }
}
