package io.omnii.server.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.Set;

/**
 * How a request says who it is: {@code Authorization: Bearer <token>}. A request without credentials is anonymous
 * (only {@code @PermitAll} endpoints answer it); one whose credentials are malformed or unknown fails, which answers
 * 401 wherever an identity is needed. Authentication is lazy (quarkus.http.auth.proactive=false), so public
 * endpoints never pay for a lookup and failures reach our JSON error mappers.
 */
@ApplicationScoped
public class RequestAuthentication implements HttpAuthenticationMechanism {

    static final String BEARER = "bearer";
    static final String CHALLENGE = "Bearer realm=\"omnii\"";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext ctx, IdentityProviderManager identities) {
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            return Uni.createFrom().optional(Optional.empty());
        }
        String token = bearerToken(header);
        if (token == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        AuthenticationRequest request = new TokenAuthenticationRequest(new TokenCredential(token, BEARER));
        return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(request, ctx));
    }

    /** The token of a {@code Bearer} header, case-insensitively; null when the header is anything else. */
    static String bearerToken(String header) {
        int prefix = BEARER.length() + 1;
        if (header.length() <= prefix || !header.regionMatches(true, 0, BEARER + " ", 0, prefix)) {
            return null;
        }
        String token = header.substring(prefix).trim();
        return token.isEmpty() ? null : token;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext ctx) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", CHALLENGE));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext ctx) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, BEARER));
    }
}
