package io.omnii.server.matter;

import io.omnii.server.auth.Caller;
import io.omnii.server.auth.Subject;
import io.omnii.server.common.ApiException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ResourceInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The Matter devices belong to the server's own home, not to any customer's: a caller limited to a scope gets 403
 * {@value #CODE} on every endpoint of this package, whatever its role, and on every resource marked
 * {@link ServesMatter} (the console's Matter pages). Decided here once, by the resource's package, so a new Matter
 * endpoint is covered without anyone remembering to.
 */
public class ScopedCallerRefusal {

    static final String CODE = "out_of_scope";

    private final Caller caller;

    ScopedCallerRefusal(Caller caller) {
        this.caller = caller;
    }

    // After authentication and the role check: a stranger still gets 401, a viewer writing still 403 forbidden.
    @ServerRequestFilter(priority = Priorities.AUTHORIZATION + 1)
    public void refuse(ResourceInfo resource) {
        Class<?> type = resource.getResourceClass();
        if (type == null || !type.getPackageName().equals(ScopedCallerRefusal.class.getPackageName())
                && !type.isAnnotationPresent(ServesMatter.class)) {
            return;
        }
        if (caller.subject().map(Subject::scope).filter(scope -> !scope.unrestricted()).isPresent()) {
            throw new ApiException(403, CODE, "The Matter devices are the server's own; a scoped account may not use them");
        }
    }
}
