package io.omnii.server.account;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.omnii.server.auth.Role;
import io.omnii.server.auth.Subject;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Times;
import io.omnii.server.fleet.Tag;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What crosses the wire for users, tokens and sessions. Passwords and tokens appear only in answers marked "once". */
public final class AccountPayloads {

    static final String USERNAME = "[A-Za-z0-9][A-Za-z0-9._@-]{0,63}";
    static final String USERNAME_RULE = "is 1-64 letters, digits or . _ @ - and starts with a letter or digit";
    static final String ROLE = "viewer|operator|admin";
    static final String ROLE_RULE = "is viewer, operator or admin";
    static final int PASSWORD_MIN = 10;
    static final int PASSWORD_MAX = 256;
    static final String PASSWORD_RULE = "is 10-256 characters";
    static final int MAX_SCOPE_TAGS = 50;

    private AccountPayloads() {
    }

    /** POST /users. Without a password the server makes one and answers it once. */
    public record NewUserRequest(
            @NotNull(message = "is required") @Pattern(regexp = USERNAME, message = USERNAME_RULE) String username,
            @Size(min = 1, max = 200, message = "is 1-200 characters") String displayName,
            @NotNull(message = "is required") @Pattern(regexp = ROLE, message = ROLE_RULE)
            @Schema(enumeration = { "viewer", "operator", "admin" }) String role,
            @Size(max = MAX_SCOPE_TAGS, message = "holds at most 50 tags") List<@Tag String> scopeTags,
            @Size(min = PASSWORD_MIN, max = PASSWORD_MAX, message = PASSWORD_RULE) String password) {
    }

    /** PATCH /users/{id}: the fields present change. */
    public record UserPatch(
            @Size(min = 1, max = 200, message = "is 1-200 characters") String displayName,
            @Pattern(regexp = ROLE, message = ROLE_RULE)
            @Schema(enumeration = { "viewer", "operator", "admin" }) String role,
            Boolean disabled,
            @Size(max = MAX_SCOPE_TAGS, message = "holds at most 50 tags") List<@Tag String> scopeTags) {
    }

    public record UserView(UUID id, String username, String displayName,
            @Schema(enumeration = { "viewer", "operator", "admin" }) String role, List<String> scopeTags,
            boolean disabled, long createdAt, @Schema(nullable = true) Long lastSignInAt) {

        static UserView of(UserAccount u) {
            return new UserView(u.id, u.username, u.displayName, u.role.wireName(), u.scopeTags.stream().sorted().toList(),
                    u.disabled, u.createdAt.toEpochMilli(), Times.millis(u.lastSignInAt));
        }
    }

    /** The answer to POST /users; {@code password} only when the server made it: shown this once. */
    public record NewUser(UserView user, @JsonInclude(JsonInclude.Include.NON_NULL) String password) {
    }

    /** The answer to POST /users/{id}/password: the new password, shown this once. */
    public record NewPassword(String password) {
    }

    /** POST /me/password. */
    public record PasswordChange(@NotNull(message = "is required") String currentPassword,
            @NotNull(message = "is required") @Size(min = PASSWORD_MIN, max = PASSWORD_MAX, message = PASSWORD_RULE)
            String newPassword) {
    }

    /** GET /me: the caller's credential, and its account unless it is the break-glass token. */
    public record Me(@Schema(enumeration = { "user", "token", "break_glass" }) String kind,
            @Schema(enumeration = { "viewer", "operator", "admin" }) String role, List<String> scopeTags,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(description = "Absent for the break-glass token")
            UserView user) {

        static Me of(Subject subject, UserAccount user) {
            return new Me(subject.kind().wireName(), subject.role().wireName(),
                    subject.scope().tags().stream().sorted().toList(), user == null ? null : UserView.of(user));
        }
    }

    /** POST /me/tokens. */
    public record NewTokenRequest(
            @NotBlank(message = "is required") @Size(max = 100, message = "is at most 100 characters") String name,
            @Schema(description = "Epoch milliseconds; absent: never") Long expiresAt,
            @Pattern(regexp = ROLE, message = ROLE_RULE)
            @Schema(enumeration = { "viewer", "operator", "admin" }, description = "At most yours; absent: yours")
            String role,
            @Size(max = MAX_SCOPE_TAGS, message = "holds at most 50 tags") List<@Tag String> scopeTags) {
    }

    public record TokenView(UUID id, String name,
            @Schema(nullable = true, enumeration = { "viewer", "operator", "admin" },
                    description = "null: the owner's role") String role,
            List<String> scopeTags, long createdAt, @Schema(nullable = true) Long expiresAt,
            @Schema(nullable = true) Long revokedAt, @Schema(nullable = true) Long lastUsedAt) {

        static TokenView of(PersonalToken t) {
            return new TokenView(t.id, t.name, t.role == null ? null : t.role.wireName(),
                    t.scopeTags.stream().sorted().toList(), t.createdAt.toEpochMilli(), Times.millis(t.expiresAt),
                    Times.millis(t.revokedAt), Times.millis(t.lastUsedAt));
        }
    }

    /** The answer to POST /me/tokens: the token, shown this once. */
    public record NewToken(String token, TokenView details) {
    }

    /** POST /auth/sign-in as JSON. */
    public record SignInRequest(@NotNull(message = "is required") @Size(max = 64, message = "is at most 64 characters")
            String username,
            @NotNull(message = "is required") @Size(max = PASSWORD_MAX, message = "is at most 256 characters")
            String password) {
    }

    /** A browser session: who, the CSRF token its state-changing requests must send, when it ends at the latest. */
    public record SessionView(UserView user, String csrfToken, long expiresAt, long idleTimeoutSeconds) {
    }

    private static final java.util.regex.Pattern USERNAME_PATTERN = java.util.regex.Pattern.compile(USERNAME);

    /** The longest username a sign-in form may send. */
    public static final int FORM_USERNAME_MAX = 64;

    /**
     * A sign-in form's fields, which no JSON door (NulGuard, Bean Validation) sees: a username of 1-64 characters
     * without NUL (PostgreSQL takes none), a password of at most {@link #PASSWORD_MAX} (hashing costs by length).
     */
    public static void checkSignInForm(String username, String password) {
        if (username == null || username.isEmpty() || username.length() > FORM_USERNAME_MAX
                || username.indexOf('\0') >= 0) {
            throw ApiException.invalid("username", "is 1-64 characters other than NUL");
        }
        if (password == null || password.length() > PASSWORD_MAX) {
            throw ApiException.invalid("password", "is at most 256 characters");
        }
    }

    /** Whether a name could be a username at all; one that cannot is nobody's. */
    static boolean validUsername(String username) {
        return username != null && USERNAME_PATTERN.matcher(username).matches();
    }

    static Role role(String wire) {
        return wire == null ? null : Role.fromWire(wire).orElseThrow();
    }
}
