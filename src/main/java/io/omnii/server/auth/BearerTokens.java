package io.omnii.server.auth;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns the break-glass admin token into an admin identity; other bearer tokens are left to other providers. */
@ApplicationScoped
public class BearerTokens implements IdentityProvider<TokenAuthenticationRequest> {

    private final AdminToken adminToken;

    BearerTokens(AdminToken adminToken) {
        this.adminToken = adminToken;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String token = request.getToken().getToken();
        if (adminToken.matches(token)) {
            return Uni.createFrom().item(identity(Subject.breakGlass()));
        }
        // Not ours: the next provider may know it; when none does, the request fails authentication.
        return Uni.createFrom().nullItem();
    }

    /** The identity of a subject: its name as principal, its role and every lesser one, the subject itself. */
    static SecurityIdentity identity(Subject subject) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(subject.name()))
                .addRoles(subject.role().granted())
                .addAttribute(Subject.ATTRIBUTE, subject)
                .build();
    }
}
