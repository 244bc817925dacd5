package io.omnii.server.matter;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Free JSON that must be an object when given (absent and JSON null are fine). */
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT })
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = JsonObject.Validator.class)
public @interface JsonObject {

    String message() default "must be an object";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<JsonObject, JsonNode> {

        @Override
        public boolean isValid(JsonNode value, ConstraintValidatorContext context) {
            return value == null || value.isNull() || value.isObject();
        }
    }
}
