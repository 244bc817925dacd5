package io.omnii.server.account;

import io.omnii.server.auth.SessionAuthenticationRequest;
import io.omnii.server.auth.Subject;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The identity providers of accounts: personal tokens (bearer tokens with {@link TokenService#PREFIX}; others are
 * left to the break-glass provider) and browser sessions. Both look the credential up in PostgreSQL on a worker
 * thread, on every request.
 */
public final class AccountIdentities {

    private AccountIdentities() {
    }

    private static Uni<SecurityIdentity> lookUp(AuthenticationRequestContext context, Supplier<Optional<Subject>> find) {
        return context.runBlocking(() -> find.get().map(Subject::identity)
                .orElseThrow(AuthenticationFailedException::new));
    }

    @ApplicationScoped
    public static class PersonalTokens implements IdentityProvider<TokenAuthenticationRequest> {

        private final TokenService tokens;

        PersonalTokens(TokenService tokens) {
            this.tokens = tokens;
        }

        @Override
        public Class<TokenAuthenticationRequest> getRequestType() {
            return TokenAuthenticationRequest.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request,
                AuthenticationRequestContext context) {
            String token = request.getToken().getToken();
            if (!token.startsWith(TokenService.PREFIX)) {
                return Uni.createFrom().nullItem();
            }
            return lookUp(context, () -> tokens.authenticate(token));
        }
    }

    @ApplicationScoped
    public static class Sessions implements IdentityProvider<SessionAuthenticationRequest> {

        private final SessionService sessions;

        Sessions(SessionService sessions) {
            this.sessions = sessions;
        }

        @Override
        public Class<SessionAuthenticationRequest> getRequestType() {
            return SessionAuthenticationRequest.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(SessionAuthenticationRequest request,
                AuthenticationRequestContext context) {
            return lookUp(context, () -> sessions.authenticate(request.secret()));
        }
    }
}
