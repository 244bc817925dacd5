package io.omnii.server.console;

import io.omnii.server.auth.Role;
import java.util.List;

/**
 * What every console page's frame (templates/layout.html) shows and needs: who is signed in, which links and
 * buttons their role allows, and the session's CSRF token that htmx sends with every request.
 *
 * @param csrf empty when the page was fetched without a session cookie (a bearer token), which can only read
 * @param scopeTags empty when the whole fleet is in scope
 */
public record Chrome(String user, Role role, List<String> scopeTags, String csrf, String active) {

    public boolean operator() {
        return role.covers(Role.OPERATOR);
    }

    public boolean admin() {
        return role == Role.ADMIN;
    }

    /** Whether the whole fleet is in scope: only then are Matter and the fleet-wide pages shown. */
    public boolean fleetWide() {
        return scopeTags.isEmpty();
    }

    public String roleName() {
        return role.wireName();
    }
}
