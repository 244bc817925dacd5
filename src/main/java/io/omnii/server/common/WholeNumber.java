package io.omnii.server.common;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A whole number between min and max, given as text: query parameters are taken as text so that a non-number is a
 * 400 naming the parameter, not the framework's 404. Absent or blank is valid (the parameter's default applies).
 */
@Target({ ElementType.FIELD, ElementType.PARAMETER })
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = WholeNumber.Validator.class)
public @interface WholeNumber {

    long min();

    long max();

    String message() default "must be between {min} and {max}";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<WholeNumber, String> {

        private long min;
        private long max;

        @Override
        public void initialize(WholeNumber annotation) {
            min = annotation.min();
            max = annotation.max();
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null || value.isBlank()) {
                return true;
            }
            try {
                long n = Long.parseLong(value.strip());
                return n >= min && n <= max;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        /** The parameter's value, or {@code absent} when it was not given; only for a value this constraint passed. */
        public static long parse(String value, long absent) {
            return value == null || value.isBlank() ? absent : Long.parseLong(value.strip());
        }
    }
}
