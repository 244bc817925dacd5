package io.omnii.server.audit;

import io.omnii.server.common.Page;
import io.omnii.server.common.Violations;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.QueryParam;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** The query parameters of GET /audit: paging (by number or by cursor) and the filters, checked as a whole. */
@AuditListParams.Valid
public class AuditListParams extends Page.Params {

    // Times PostgreSQL and the driver compare without surprise.
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    @QueryParam("cursor")
    String cursor;

    @QueryParam("actor")
    @Size(max = AuditText.MAX_LENGTH)
    String actor;

    @QueryParam("action")
    String action;

    @QueryParam("targetType")
    String targetType;

    @QueryParam("targetId")
    @Size(max = AuditText.MAX_LENGTH)
    String targetId;

    @QueryParam("from")
    String from;

    @QueryParam("to")
    String to;

    public Optional<AuditCursor> after() {
        return given(cursor).flatMap(AuditCursor::decode);
    }

    public AuditQuery query() {
        return new AuditQuery(given(actor), given(action).flatMap(AuditAction::fromWire),
                given(targetType).flatMap(Target.Type::fromWire), given(targetId), given(from).flatMap(
                        AuditListParams::instant), given(to).flatMap(AuditListParams::instant));
    }

    private static Optional<String> given(String value) {
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }

    /** An ISO-8601 date and time with an offset ({@code 2026-01-31T12:00:00Z}), within years 1 to 9999. */
    static Optional<Instant> instant(String text) {
        try {
            Instant t = OffsetDateTime.parse(text.strip()).toInstant();
            return t.isBefore(EARLIEST) || t.isAfter(LATEST) ? Optional.empty() : Optional.of(t);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    @java.lang.annotation.Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = Validator.class)
    public @interface Valid {

        String message() default "invalid audit listing";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    /** Each parameter that names nothing this listing knows gets its own violation. */
    public static class Validator implements ConstraintValidator<Valid, AuditListParams> {

        @Override
        public boolean isValid(AuditListParams p, ConstraintValidatorContext context) {
            if (p == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            boolean valid = true;
            if (given(p.cursor).isPresent()) {
                if (p.after().isEmpty()) {
                    valid = Violations.add(context, "is not a cursor this listing gave out", "cursor");
                }
                if (given(p.page).isPresent()) {
                    valid = Violations.add(context, "cannot be combined with cursor", "page");
                }
            }
            if (given(p.action).isPresent() && AuditAction.fromWire(p.action).isEmpty()) {
                valid = Violations.add(context, "is not an audited action", "action");
            }
            if (given(p.targetType).isPresent() && Target.Type.fromWire(p.targetType).isEmpty()) {
                valid = Violations.add(context, "is not a target type", "targetType");
            }
            Optional<Instant> from = given(p.from).flatMap(AuditListParams::instant);
            Optional<Instant> to = given(p.to).flatMap(AuditListParams::instant);
            if (given(p.from).isPresent() && from.isEmpty()) {
                valid = Violations.add(context, TIME, "from");
            }
            if (given(p.to).isPresent() && to.isEmpty()) {
                valid = Violations.add(context, TIME, "to");
            }
            if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
                valid = Violations.add(context, "must not be after to", "from");
            }
            return valid;
        }

        private static final String TIME = "must be an ISO-8601 date and time with an offset, e.g."
                + " 2026-01-31T12:00:00Z, in years 1 to 9999";
    }
}
