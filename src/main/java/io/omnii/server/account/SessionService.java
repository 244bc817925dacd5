package io.omnii.server.account;

import io.omnii.server.account.AccountPayloads.SessionView;
import io.omnii.server.account.AccountPayloads.UserView;
import io.omnii.server.audit.Actor;
import io.omnii.server.audit.AuditAction;
import io.omnii.server.audit.AuditLog;
import io.omnii.server.audit.Outcome;
import io.omnii.server.audit.Target;
import io.omnii.server.auth.SessionCookie;
import io.omnii.server.auth.Subject;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Digests;
import io.omnii.server.replica.PeriodicJobs;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Browser sessions: sign-in with username and password, server-side sessions that store only a digest of the
 * cookie's secret, idle and absolute expiry, sign-out. Nothing is cached: a disabled user's sessions stop at once.
 */
@ApplicationScoped
public class SessionService {

    static final String INVALID_CREDENTIALS = "invalid_credentials";
    private static final int SECRET_BYTES = 32;
    /** last_seen_at is written at most this often per session. */
    static final Duration LAST_SEEN_RESOLUTION = Duration.ofMinutes(1);
    /** The sweep's name in periodic_job and omnii_periodic_job_runs_total. */
    static final String SWEEP_JOB = "session-sweep";

    /** A new session: the cookie's secret (set once, never stored) and what the client may read. */
    public record SignedIn(String secret, SessionView view) {
    }

    private final UserRepository users;
    private final BrowserSessionRepository sessions;
    private final PasswordHasher hasher;
    private final SignInThrottle throttle;
    private final Clock clock;
    private final Duration idle;
    private final Duration absolute;
    private final AuditLog audit;
    private final PeriodicJobs jobs;
    private final Duration sweepInterval;

    SessionService(UserRepository users, BrowserSessionRepository sessions, PasswordHasher hasher,
            SignInThrottle throttle, Clock clock, AccountsConfig config, AuditLog audit, PeriodicJobs jobs) {
        this.jobs = jobs;
        this.sweepInterval = config.session().sweepInterval();
        this.users = users;
        this.sessions = sessions;
        this.hasher = hasher;
        this.throttle = throttle;
        this.clock = clock;
        this.idle = config.session().idleTimeout();
        this.absolute = config.session().absoluteTimeout();
        this.audit = audit;
    }

    /**
     * Signs in. Throttled first (429 sign_in_locked, even for the right password), then one answer for an unknown
     * user, a wrong password and a disabled user (401 invalid_credentials), each costing one Argon2id hash. A failure
     * past the throttle is audited (auth.sign_in_failed, its own transaction); a locked attempt is not, so a flood
     * cannot flood the log. Never the username given for an unknown user: people type passwords there.
     */
    public SignedIn signIn(String username, String password, String address, String requestId) {
        throttle.acquire(username, address);
        // A name outside the username pattern is nobody's: not looked up, so PostgreSQL's lower() never sees it.
        Optional<UserAccount> user = AccountPayloads.validUsername(username)
                ? QuarkusTransaction.requiringNew().call(() -> users.findByUsername(username))
                : Optional.empty();
        boolean right = hasher.verify(password, user.map(u -> u.passwordHash).orElse(null));
        if (!right || user.get().disabled) {
            Log.infof("Failed sign-in from %s", address);
            String reason = user.isEmpty() ? "unknown_user" : right ? "disabled" : "wrong_password";
            audit.recordAlone(Actor.anonymous(address, requestId), AuditAction.AUTH_SIGN_IN_FAILED,
                    new Target(Target.Type.USER, user.map(u -> u.id.toString()).orElse(null), List.of()),
                    Outcome.DENIED, Map.of("reason", reason));
            throw new ApiException(401, INVALID_CREDENTIALS, "Wrong username or password");
        }
        throttle.release(username, address);
        String secret = Secrets.random(SECRET_BYTES);
        return QuarkusTransaction.requiringNew().call(() -> {
            Instant now = clock.instant();
            UserAccount u = users.findById(user.get().id);
            u.lastSignInAt = now;
            BrowserSession s = new BrowserSession();
            s.id = UUID.randomUUID();
            s.userId = u.id;
            s.secretHash = Digests.sha256(secret);
            s.createdAt = now;
            s.lastSeenAt = now;
            s.expiresAt = now.plus(absolute);
            sessions.persist(s);
            audit.record(actor(u, address, requestId), AuditAction.AUTH_SIGN_IN, Target.user(u.id.toString()),
                    Outcome.SUCCESS, Map.of("sessionId", s.id.toString(), "expiresAt", s.expiresAt.toEpochMilli()));
            Log.infof("User %s signed in", u.id);
            return new SignedIn(secret, view(u, s, secret));
        });
    }

    /**
     * The subject of a session cookie, or empty when the session is unknown, idle or past its absolute expiry
     * (then it is deleted), or its user is disabled.
     */
    public Optional<Subject> authenticate(String secret) {
        return QuarkusTransaction.requiringNew().call(() -> current(secret).map(c -> {
            UserAccount u = c.user();
            return new Subject(Subject.Kind.USER, u.id.toString(), u.username, u.role, u.scope());
        }));
    }

    /** The session of a cookie, as the client may read it; empty when it is not live. */
    public Optional<SessionView> view(String secret) {
        return QuarkusTransaction.requiringNew().call(() -> current(secret).map(c -> view(c.user(), c.session(), secret)));
    }

    /** The id of a live session, for keeping it when a user changes their password. */
    public Optional<UUID> id(String secret) {
        return QuarkusTransaction.requiringNew().call(() -> current(secret).map(c -> c.session().id));
    }

    /** Ends a session, audited; an unknown or ended one changes nothing and records nothing. Answers whose it was. */
    public Optional<UUID> signOut(String secret, String address, String requestId) {
        return QuarkusTransaction.requiringNew().call(() -> sessions.findBySecretHash(Digests.sha256(secret))
                .map(s -> {
                    sessions.delete(s);
                    UserAccount u = users.findById(s.userId);
                    audit.record(actor(u, address, requestId), AuditAction.AUTH_SIGN_OUT,
                            Target.user(u.id.toString()), Outcome.SUCCESS, Map.of("sessionId", s.id.toString()));
                    Log.infof("User %s signed out", s.userId);
                    return s.userId;
                }));
    }

    void onStart(@Observes StartupEvent event) {
        jobs.register(SWEEP_JOB);
    }

    /**
     * Ended sessions are otherwise deleted only when their cookie comes back, which most never do. Once per interval
     * fleet-wide: the claim and the delete are one transaction.
     */
    @Scheduled(every = "${omnii.accounts.session.sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledSweep() {
        QuarkusTransaction.requiringNew().run(() -> {
            if (jobs.claim(SWEEP_JOB, sweepInterval)) {
                deleteEnded();
            }
        });
    }

    /** Deletes the sessions past their idle or absolute expiry; answers how many. */
    public long sweep() {
        return QuarkusTransaction.requiringNew().call(this::deleteEnded);
    }

    private long deleteEnded() {
        Instant now = clock.instant();
        long deleted = sessions.delete("expiresAt <= ?1 or lastSeenAt <= ?2", now, now.minus(idle));
        Log.debugf("Deleted %d ended browser sessions", deleted);
        return deleted;
    }

    private static Actor actor(UserAccount u, String address, String requestId) {
        return new Actor(Actor.Kind.USER, u.id.toString(), u.username, u.role.wireName(), address, requestId);
    }

    private record Current(BrowserSession session, UserAccount user) {
    }

    private Optional<Current> current(String secret) {
        Instant now = clock.instant();
        Optional<BrowserSession> found = sessions.findBySecretHash(Digests.sha256(secret));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        BrowserSession s = found.get();
        if (!now.isBefore(s.expiresAt) || !now.isBefore(s.lastSeenAt.plus(idle))) {
            sessions.delete(s);
            return Optional.empty();
        }
        UserAccount u = users.findById(s.userId);
        if (u == null || u.disabled) {
            return Optional.empty();
        }
        if (s.lastSeenAt.plus(LAST_SEEN_RESOLUTION).isBefore(now)) {
            s.lastSeenAt = now;
        }
        return Optional.of(new Current(s, u));
    }

    private SessionView view(UserAccount u, BrowserSession s, String secret) {
        return new SessionView(UserView.of(u), SessionCookie.csrfToken(secret), s.expiresAt.toEpochMilli(),
                idle.toSeconds());
    }
}
