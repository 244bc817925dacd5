package io.omnii.server.fleet;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An instance's name: not blank, at most {@link InstanceRules#MAX_NAME_LENGTH} characters once stripped, no control
 * characters. Absent is valid (add {@code @NotNull} where a name is required); each broken rule is named.
 */
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT })
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = InstanceName.Validator.class)
public @interface InstanceName {

    String message() default "is not a valid instance name";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<InstanceName, String> {

        private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

        @Override
        public boolean isValid(String name, ConstraintValidatorContext context) {
            if (name == null) {
                return true;
            }
            List<String> broken = new ArrayList<>();
            if (name.isBlank()) {
                broken.add("is required");
            }
            if (name.strip().length() > InstanceRules.MAX_NAME_LENGTH) {
                broken.add("must be at most " + InstanceRules.MAX_NAME_LENGTH + " characters");
            }
            if (CONTROL.matcher(name).find()) {
                broken.add("must not contain control characters");
            }
            if (broken.isEmpty()) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            broken.forEach(message -> context.buildConstraintViolationWithTemplate(message).addConstraintViolation());
            return false;
        }
    }
}
