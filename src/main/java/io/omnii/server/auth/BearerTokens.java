package io.omnii.server.auth;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.omnii.server.common.RequestIds;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns the break-glass admin token into an admin identity; other bearer tokens are left to other providers. Its use
 * is announced ({@link BreakGlassUsed}) at most once per client address every ten minutes on each replica: once
 * per request would flood the audit log with a script's every call.
 */
@ApplicationScoped
public class BearerTokens implements IdentityProvider<TokenAuthenticationRequest> {

    static final Duration BREAK_GLASS_NOTICE_INTERVAL = Duration.ofMinutes(10);
    /** Addresses remembered at most; past it the oldest notices are forgotten (so they may be announced again). */
    private static final int MAX_REMEMBERED = 10_000;

    private final AdminToken adminToken;
    private final Event<BreakGlassUsed> used;
    private final Clock clock;
    private final Map<String, Instant> lastNotice = new ConcurrentHashMap<>();

    BearerTokens(AdminToken adminToken, Event<BreakGlassUsed> used, Clock clock) {
        this.adminToken = adminToken;
        this.used = used;
        this.clock = clock;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String token = request.getToken().getToken();
        if (adminToken.matches(token)) {
            RoutingContext http = HttpSecurityUtils.getRoutingContextAttribute(request);
            if (http != null) {
                notice(http.request().remoteAddress() == null ? "unknown" : http.request().remoteAddress().hostAddress(),
                        RequestIds.of(http));
            }
            return Uni.createFrom().item(Subject.breakGlass().identity());
        }
        // Not ours: the next provider may know it; when none does, the request fails authentication.
        return Uni.createFrom().nullItem();
    }

    private void notice(String address, String requestId) {
        Instant now = clock.instant();
        Instant[] fired = new Instant[1];
        lastNotice.compute(address, (a, last) -> {
            if (last == null || !now.isBefore(last.plus(BREAK_GLASS_NOTICE_INTERVAL))) {
                fired[0] = now;
                return now;
            }
            return last;
        });
        if (fired[0] != null) {
            if (lastNotice.size() > MAX_REMEMBERED) {
                lastNotice.values().removeIf(t -> now.isAfter(t.plus(BREAK_GLASS_NOTICE_INTERVAL)));
            }
            // Asynchronous: this runs on the event loop, and recording it writes to the database.
            used.fireAsync(new BreakGlassUsed(address, requestId, now));
        }
    }
}
