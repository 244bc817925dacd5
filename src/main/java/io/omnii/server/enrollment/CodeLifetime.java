package io.omnii.server.enrollment;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Provider;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A code's lifetime in hours: 1 up to omnii.enrollment.max-expiry-hours; absent takes the default. */
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT })
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = CodeLifetime.Validator.class)
public @interface CodeLifetime {

    String message() default "must be between 1 and the configured maximum";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** A bean, for the configuration it reads; read when used, since validators are made before configuration. */
    @ApplicationScoped
    class Validator implements ConstraintValidator<CodeLifetime, Integer> {

        private final Provider<EnrollmentConfig> config;

        Validator(Provider<EnrollmentConfig> config) {
            this.config = config;
        }

        @Override
        public boolean isValid(Integer hours, ConstraintValidatorContext context) {
            int max = config.get().maxExpiryHours();
            if (hours == null || (hours >= 1 && hours <= max)) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate("must be between 1 and " + max)
                    .addConstraintViolation();
            return false;
        }
    }
}
