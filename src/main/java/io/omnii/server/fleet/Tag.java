package io.omnii.server.fleet;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.regex.Pattern;

/** One tag of an instance: 1-64 letters, digits or _ . : -, starting with a letter or digit; never null. */
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.TYPE_USE })
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = Tag.Validator.class)
public @interface Tag {

    /** The rule, as every refusal of a tag words it. */
    String RULE = "each tag is 1-64 letters, digits or _ . : - and starts with a letter or digit";

    String message() default RULE;

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<Tag, String> {

        private static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");

        @Override
        public boolean isValid(String tag, ConstraintValidatorContext context) {
            return tag != null && TAG.matcher(tag).matches();
        }
    }
}
