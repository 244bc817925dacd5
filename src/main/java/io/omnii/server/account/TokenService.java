package io.omnii.server.account;

import io.omnii.server.account.AccountPayloads.NewToken;
import io.omnii.server.account.AccountPayloads.NewTokenRequest;
import io.omnii.server.account.AccountPayloads.TokenView;
import io.omnii.server.audit.Actor;
import io.omnii.server.audit.AuditAction;
import io.omnii.server.audit.AuditLog;
import io.omnii.server.audit.Outcome;
import io.omnii.server.audit.Target;
import io.omnii.server.auth.Role;
import io.omnii.server.auth.Scope;
import io.omnii.server.auth.Subject;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Digests;
import io.quarkus.logging.Log;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Personal API tokens: {@value #PREFIX} and 256 random bits, shown once, stored as SHA-256 (at that entropy a slow
 * hash adds nothing: nobody can enumerate 2^256 candidates), looked up by that digest on every request. Nothing is
 * cached, so a revocation, an expiry or the owner's disabling takes effect on the next request on every replica.
 */
@ApplicationScoped
public class TokenService {

    public static final String PREFIX = "omnii_pat_";
    private static final int TOKEN_BYTES = 32;
    static final int MAX_LIFETIME_YEARS = 10;
    /** Live (neither revoked nor expired) tokens per account: the token listings are not paged. */
    static final int MAX_LIVE_TOKENS = 100;
    /** last_used_at is written at most this often per token: one write per request would double the load. */
    static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    private final PersonalTokenRepository tokens;
    private final UserRepository users;
    private final Clock clock;
    private final AuditLog audit;

    TokenService(PersonalTokenRepository tokens, UserRepository users, Clock clock, AuditLog audit) {
        this.tokens = tokens;
        this.users = users;
        this.clock = clock;
        this.audit = audit;
    }

    /**
     * A new token of the caller's account, within the caller's role, scope and (for a token making a token) expiry:
     * a credential never makes a stronger or longer-lived one.
     */
    @Transactional
    public NewToken create(Subject caller, NewTokenRequest request, Actor actor) {
        Instant now = clock.instant();
        Optional<PersonalToken> parent = caller.kind() == Subject.Kind.TOKEN
                ? tokens.findByIdOptional(UUID.fromString(caller.id()))
                : Optional.empty();
        UUID owner = owner(caller);
        // The owner's row lock serialises the owner's creations, so two at once cannot pass the cap together.
        users.findById(owner, LockModeType.PESSIMISTIC_WRITE);
        if (tokens.countLive(owner, now) >= MAX_LIVE_TOKENS) {
            throw new ApiException(409, "too_many_tokens", "An account holds at most " + MAX_LIVE_TOKENS
                    + " live tokens: revoke one first");
        }
        Role role = AccountPayloads.role(request.role());
        if (role != null && !caller.role().covers(role)) {
            throw ApiException.invalid("role", "may be at most your own role, " + caller.role().wireName());
        }
        Scope scope = request.scopeTags() == null ? caller.scope() : Scope.of(request.scopeTags());
        if (!scope.within(caller.scope())) {
            throw ApiException.invalid("scopeTags", "must be within your own scope");
        }
        // An admin can retag instances, so a scope would not hold an admin token (as for an admin user).
        Role effective = role != null ? role : caller.role();
        if (effective == Role.ADMIN && !scope.unrestricted()) {
            throw ApiException.invalid("scopeTags", "must be empty for a token with the admin role");
        }
        Instant expiresAt = request.expiresAt() == null ? null : Instant.ofEpochMilli(request.expiresAt());
        // PostgreSQL's timestamptz ends in the year 294276; ten years is past any sensible token's life anyway.
        if (expiresAt != null && (!expiresAt.isAfter(now) || expiresAt.isAfter(now.atOffset(ZoneOffset.UTC)
                .plusYears(MAX_LIFETIME_YEARS).toInstant()))) {
            throw ApiException.invalid("expiresAt", "must be in the future, at most " + MAX_LIFETIME_YEARS
                    + " years ahead");
        }
        Instant parentExpiry = parent.map(p -> p.expiresAt).orElse(null);
        if (parentExpiry != null) {
            if (expiresAt != null && expiresAt.isAfter(parentExpiry)) {
                throw ApiException.invalid("expiresAt", "may not be later than the expiry of the token you use");
            }
            expiresAt = expiresAt == null ? parentExpiry : expiresAt;
        }
        String token = PREFIX + Secrets.random(TOKEN_BYTES);
        PersonalToken t = new PersonalToken();
        t.id = UUID.randomUUID();
        t.userId = owner;
        t.name = request.name().strip();
        t.tokenHash = Digests.sha256(token);
        t.role = role != null ? role : parent.isPresent() ? caller.role() : null;
        t.scopeTags = new ArrayList<>(scope.tags().stream().sorted().toList());
        t.createdAt = now;
        t.expiresAt = expiresAt;
        tokens.persist(t);
        Map<String, Object> detail = new TreeMap<>();
        detail.put("userId", owner.toString());
        detail.put("name", t.name);
        detail.put("role", t.role == null ? "owner's" : t.role.wireName());
        detail.put("scopeTags", List.copyOf(t.scopeTags));
        if (t.expiresAt != null) {
            detail.put("expiresAt", t.expiresAt.toEpochMilli());
        }
        audit.record(actor, AuditAction.TOKEN_CREATE, Target.token(t.id.toString()), Outcome.SUCCESS, detail);
        Log.infof("Personal token %s created for user %s", t.id, owner);
        return new NewToken(token, TokenView.of(t));
    }

    @Transactional
    public List<TokenView> list(UUID owner) {
        if (users.findByIdOptional(owner).isEmpty()) {
            throw ApiException.notFound("User");
        }
        return tokens.find("userId", Sort.by("createdAt").and("id"), owner).stream().map(TokenView::of).toList();
    }

    /** Revokes one of the owner's tokens; revoking a revoked one changes nothing. Another user's is a 404. */
    @Transactional
    public void revoke(UUID owner, UUID tokenId, Actor actor) {
        PersonalToken t = tokens.findByIdOptional(tokenId).filter(x -> x.userId.equals(owner))
                .orElseThrow(() -> ApiException.notFound("Token"));
        boolean already = t.revokedAt != null;
        if (!already) {
            t.revokedAt = clock.instant();
            Log.infof("Personal token %s revoked", t.id);
        }
        audit.record(actor, AuditAction.TOKEN_REVOKE, Target.token(t.id.toString()), Outcome.SUCCESS,
                Map.of("userId", owner.toString(), "name", t.name, "alreadyRevoked", already));
    }

    /**
     * The subject of a presented token, or empty when it is unknown, revoked, expired, its owner disabled, or its
     * scope and the owner's now share nothing. Role and scope are narrowed to the owner's as they are now.
     */
    @Transactional
    public Optional<Subject> authenticate(String token) {
        Instant now = clock.instant();
        Optional<PersonalToken> found = tokens.findByHash(Digests.sha256(token)).filter(t -> t.usable(now));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        PersonalToken t = found.get();
        UserAccount owner = users.findById(t.userId);
        if (owner == null || owner.disabled) {
            return Optional.empty();
        }
        Role role = t.role == null || t.role.covers(owner.role) ? owner.role : t.role;
        Optional<Scope> scope = t.scope().intersect(owner.scope());
        if (scope.isEmpty()) {
            return Optional.empty();
        }
        if (role == Role.ADMIN && !scope.get().unrestricted()) {
            // A scoped token whose owner became admin: an admin could retag its way out of the scope.
            role = Role.OPERATOR;
        }
        if (t.lastUsedAt == null || t.lastUsedAt.plus(LAST_USED_RESOLUTION).isBefore(now)) {
            t.lastUsedAt = now;
        }
        return Optional.of(new Subject(Subject.Kind.TOKEN, t.id.toString(), owner.username + "/" + t.name, role,
                scope.get()));
    }

    /** The account a subject acts for: its user, or the owner of its token. The break-glass token has none. */
    @Transactional
    public UUID owner(Subject caller) {
        return switch (caller.kind()) {
            case USER -> UUID.fromString(caller.id());
            case TOKEN -> tokens.findByIdOptional(UUID.fromString(caller.id())).map(t -> t.userId)
                    .orElseThrow(() -> ApiException.notFound("Token"));
            case BREAK_GLASS -> throw noAccount();
        };
    }

    static ApiException noAccount() {
        return new ApiException(409, "no_account", "The break-glass token has no account: sign in as a user");
    }
}
