package io.omnii.server.fleet;

import io.omnii.server.common.Violations;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A listing's cursor is one it gave out, and a page by number is not asked for with it. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = CursorPaging.Validator.class)
public @interface CursorPaging {

    String message() default "is not a cursor this listing gave out";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<CursorPaging, InstanceListParams> {

        @Override
        public boolean isValid(InstanceListParams params, ConstraintValidatorContext context) {
            if (params == null || params.cursorText().isEmpty()) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            boolean valid = params.after().isPresent()
                    || Violations.add(context, "is not a cursor this listing gave out", "cursor");
            if (params.pageGiven()) {
                valid = Violations.add(context, "cannot be combined with cursor", "page");
            }
            return valid;
        }
    }
}
