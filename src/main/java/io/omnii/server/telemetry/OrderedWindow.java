package io.omnii.server.telemetry;

import io.omnii.server.common.Violations;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A history window's {@code to} is not before its {@code from}; a bound that is no number has its own violation. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = OrderedWindow.Validator.class)
public @interface OrderedWindow {

    String message() default "must not be before from";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<OrderedWindow, HistoryWindow> {

        @Override
        public boolean isValid(HistoryWindow window, ConstraintValidatorContext context) {
            try {
                if (window == null || !window.from().isAfter(window.to())) {
                    return true;
                }
            } catch (NumberFormatException e) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            return Violations.add(context, "must not be before from", "to");
        }
    }
}
