package io.omnii.server.account;

import io.omnii.server.account.AccountPayloads.NewPassword;
import io.omnii.server.account.AccountPayloads.NewUser;
import io.omnii.server.account.AccountPayloads.NewUserRequest;
import io.omnii.server.account.AccountPayloads.UserPatch;
import io.omnii.server.account.AccountPayloads.UserView;
import io.omnii.server.audit.Actor;
import io.omnii.server.audit.AuditAction;
import io.omnii.server.audit.AuditLog;
import io.omnii.server.audit.Outcome;
import io.omnii.server.audit.Target;
import io.omnii.server.auth.Role;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Page;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.hibernate.exception.ConstraintViolationException;

/**
 * Users: the admin's operations and a user's own password. Passwords are hashed before a transaction starts (a hash
 * takes tens of milliseconds), and a generated password is answered once and kept nowhere.
 */
@ApplicationScoped
public class AccountService {

    /** Generated passwords: 15 random bytes, 20 characters, 120 bits. */
    private static final int GENERATED_PASSWORD_BYTES = 15;

    private final UserRepository users;
    private final BrowserSessionRepository sessions;
    private final PasswordHasher hasher;
    private final SignInThrottle throttle;
    private final EntityManager em;
    private final Clock clock;
    private final AuditLog audit;

    AccountService(UserRepository users, BrowserSessionRepository sessions, PasswordHasher hasher,
            SignInThrottle throttle, EntityManager em, Clock clock, AuditLog audit) {
        this.users = users;
        this.sessions = sessions;
        this.hasher = hasher;
        this.throttle = throttle;
        this.em = em;
        this.clock = clock;
        this.audit = audit;
    }

    public NewUser create(NewUserRequest request, Actor actor) {
        Role role = AccountPayloads.role(request.role());
        List<String> tags = tags(request.scopeTags());
        checkScope(role, tags);
        String password = request.password() != null ? request.password() : Secrets.random(GENERATED_PASSWORD_BYTES);
        String hash = hasher.hash(password);
        UserAccount user = QuarkusTransaction.requiringNew().call(() -> {
            UserAccount u = insert(request.username(),
                    request.displayName() == null ? request.username() : request.displayName(), role, tags, hash);
            audit.record(actor, AuditAction.USER_CREATE, Target.user(u.id.toString()), Outcome.SUCCESS,
                    Map.of("username", u.username, "role", role.wireName(), "scopeTags", tags,
                            "passwordGenerated", request.password() == null));
            return u;
        });
        Log.infof("User %s created with role %s", user.id, role.wireName());
        return new NewUser(UserView.of(user), request.password() == null ? password : null);
    }

    /**
     * Creates a user in the caller's transaction; a taken username (whatever its case) is a 409. The unique index
     * settles a race between two creations.
     */
    UserAccount insert(String username, String displayName, Role role, List<String> tags, String passwordHash) {
        if (users.findByUsername(username).isPresent()) {
            throw usernameTaken();
        }
        UserAccount user = new UserAccount();
        user.id = UUID.randomUUID();
        user.username = username;
        user.displayName = displayName;
        user.role = role;
        user.scopeTags = new ArrayList<>(tags);
        user.passwordHash = passwordHash;
        user.createdAt = clock.instant();
        try {
            users.persistAndFlush(user);
        } catch (PersistenceException e) {
            if (e.getCause() instanceof ConstraintViolationException) {
                throw usernameTaken();
            }
            throw e;
        }
        return user;
    }

    public Page<UserView> list(Page.PageRequest paging) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            List<UserView> items = users.findAll(Sort.by("createdAt").and("id"))
                    .page(paging.page(), paging.size()).list().stream().map(UserView::of).toList();
            return new Page<>(items, paging.page(), paging.size(), users.count());
        });
    }

    public UserView get(UUID id) {
        return QuarkusTransaction.joiningExisting().call(
                () -> UserView.of(users.findByIdOptional(id).orElseThrow(() -> ApiException.notFound("User"))));
    }

    UserAccount user(UUID id) {
        return QuarkusTransaction.joiningExisting().call(
                () -> users.findByIdOptional(id).orElseThrow(() -> ApiException.notFound("User")));
    }

    /** Changes the fields present. Refuses a scope on an admin (400) and leaving no admin who can sign in (409). */
    public UserView update(UUID id, UserPatch patch, Actor actor) {
        return QuarkusTransaction.requiringNew().call(() -> {
            UserAccount user = users.findById(id, LockModeType.PESSIMISTIC_WRITE);
            if (user == null) {
                throw ApiException.notFound("User");
            }
            boolean wasActiveAdmin = user.role == Role.ADMIN && !user.disabled;
            Map<String, Object> detail = new TreeMap<>();
            detail.put("before", state(user));
            Role role = patch.role() == null ? user.role : AccountPayloads.role(patch.role());
            List<String> tags = patch.scopeTags() == null ? user.scopeTags : tags(patch.scopeTags());
            checkScope(role, tags);
            if (patch.displayName() != null) {
                user.displayName = patch.displayName();
            }
            user.role = role;
            user.scopeTags = new ArrayList<>(tags);
            if (patch.disabled() != null) {
                user.disabled = patch.disabled();
            }
            if (wasActiveAdmin && (user.role != Role.ADMIN || user.disabled)) {
                // Serialises demotions and disables of admins, so two at once cannot remove the last two.
                em.createNativeQuery("SELECT pg_advisory_xact_lock(hashtext('omnii.account.admins'))").getSingleResult();
                em.flush();
                if (users.enabledAdmins() == 0) {
                    throw new ApiException(409, "last_admin", "The last enabled admin can be neither disabled nor demoted");
                }
            }
            detail.put("after", state(user));
            audit.record(actor, AuditAction.USER_UPDATE, Target.user(user.id.toString()), Outcome.SUCCESS, detail);
            return UserView.of(user);
        });
    }

    /** A new generated password for the user, answered once; every session of the user ends. */
    public NewPassword resetPassword(UUID id, Actor actor) {
        String password = Secrets.random(GENERATED_PASSWORD_BYTES);
        String hash = hasher.hash(password);
        QuarkusTransaction.requiringNew().run(() -> {
            UserAccount user = users.findByIdOptional(id).orElseThrow(() -> ApiException.notFound("User"));
            user.passwordHash = hash;
            long ended = sessions.delete("userId", user.id);
            audit.record(actor, AuditAction.USER_RESET_PASSWORD, Target.user(user.id.toString()), Outcome.SUCCESS,
                    Map.of("sessionsEnded", ended));
        });
        return new NewPassword(password);
    }

    /**
     * A user's own change: the current password must be right (and counts against the sign-in throttle like a
     * sign-in), and every other session of the user ends.
     */
    public void changePassword(UUID userId, String current, String next, Actor actor, UUID keepSession) {
        UserAccount user = QuarkusTransaction.requiringNew().call(() -> users.findByIdOptional(userId))
                .orElseThrow(() -> ApiException.notFound("User"));
        throttle.acquire(user.username, actor.address());
        if (!hasher.verify(current, user.passwordHash)) {
            throw ApiException.invalid("currentPassword", "is not your password");
        }
        throttle.release(user.username, actor.address());
        String hash = hasher.hash(next);
        QuarkusTransaction.requiringNew().run(() -> {
            UserAccount u = users.findById(userId);
            u.passwordHash = hash;
            long ended = sessions.delete("userId = ?1 and id <> ?2", userId,
                    keepSession == null ? new UUID(0, 0) : keepSession);
            audit.record(actor, AuditAction.USER_UPDATE, Target.user(userId.toString()), Outcome.SUCCESS,
                    Map.of("passwordChanged", true, "sessionsEnded", ended));
        });
    }

    /** What an update may change, for its audit entry. */
    private static Map<String, Object> state(UserAccount u) {
        return Map.of("displayName", u.displayName, "role", u.role.wireName(), "disabled", u.disabled,
                "scopeTags", List.copyOf(u.scopeTags));
    }

    private static List<String> tags(List<String> tags) {
        return tags == null ? List.of() : tags.stream().distinct().sorted().toList();
    }

    /** An admin can change tags, so a scope would not hold one. */
    private static void checkScope(Role role, List<String> tags) {
        if (role == Role.ADMIN && !tags.isEmpty()) {
            throw ApiException.invalid("scopeTags", "must be empty for an admin, who can change tags");
        }
    }

    private static ApiException usernameTaken() {
        return new ApiException(409, "username_taken", "A user with this username exists");
    }
}
