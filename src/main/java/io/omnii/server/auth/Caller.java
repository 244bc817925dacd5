package io.omnii.server.auth;

import io.omnii.server.audit.Actor;
import io.omnii.server.audit.AuditCaller;
import io.omnii.server.common.RequestIds;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;
import java.util.Optional;
import java.util.Set;

/**
 * The request being served, as the features need it: who is calling (for scopes and the audit log), from which
 * address and under which request id. Resources pass {@link #scope()} to their services explicitly, so services
 * also work where there is no request (scheduled work, telemetry).
 */
@RequestScoped
public class Caller implements AuditCaller {

    private final SecurityIdentity identity;
    private final RoutingContext request;

    Caller(SecurityIdentity identity, RoutingContext request) {
        this.identity = identity;
        this.request = request;
    }

    /** Who is calling; empty for an anonymous request (only public endpoints serve those). */
    public Optional<Subject> subject() {
        return Subject.of(identity);
    }

    /**
     * The instances this caller may see and act on. Only authenticated callers have one: asking on a public
     * endpoint is a bug, not an empty scope.
     */
    public Scope scope() {
        return subject().map(Subject::scope)
                .orElseThrow(() -> new IllegalStateException("An anonymous request has no scope"));
    }

    /** The client's address (the proxy's, unless proxy address forwarding is on). */
    public String address() {
        return request.request().remoteAddress() == null ? null : request.request().remoteAddress().hostAddress();
    }

    public String requestId() {
        return RequestIds.of(request);
    }

    @Override
    public Actor actor() {
        return subject().map(s -> new Actor(Actor.Kind.fromWire(s.kind().wireName()).orElseThrow(), s.id(), s.name(),
                s.role().wireName(), address(), requestId())).orElseGet(() -> Actor.anonymous(address(), requestId()));
    }

    @Override
    public Set<String> scopeTags() {
        return scope().tags();
    }
}
