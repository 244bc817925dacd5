package io.omnii.server.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnii.server.common.StorableText;
import io.omnii.server.common.Violations;
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
import java.util.Optional;

/**
 * A command request as an instance can take it: a known command, a payload that is an object (with the entity_id
 * that update needs), and a time to live up to omnii.commands.max-ttl. Each broken rule names its field.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = ValidCommand.Validator.class)
public @interface ValidCommand {

    String message() default "is not a command an instance can take";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** What a single and a bulk command request have in common. */
    interface Fields {

        String command();

        JsonNode payload();

        Integer ttlSeconds();
    }

    /** A bean, for the configuration it reads; read when used, since validators are made before configuration. */
    @ApplicationScoped
    class Validator implements ConstraintValidator<ValidCommand, Fields> {

        private final Provider<CommandConfig> config;

        Validator(Provider<CommandConfig> config) {
            this.config = config;
        }

        @Override
        public boolean isValid(Fields request, ConstraintValidatorContext context) {
            if (request == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            boolean valid = true;
            Optional<CommandName> command = CommandName.fromWire(request.command());
            if (command.isEmpty()) {
                valid = Violations.add(context, "must be restart, update, get_status, get_metrics or check_updates",
                        "command");
            }
            JsonNode payload = request.payload();
            if (payload != null && !payload.isNull() && !payload.isObject()) {
                valid = Violations.add(context, "must be an object", "payload");
            }
            if (command.orElse(null) == CommandName.UPDATE) {
                JsonNode entity = payload != null && payload.isObject() ? payload.get("entity_id") : null;
                if (entity == null || !entity.isTextual() || entity.asText().isBlank()) {
                    valid = Violations.add(context, "is required for update", "payload", "entity_id");
                } else if (StorableText.hasNul(entity.asText())) {
                    // The API's JSON bodies are refused at the door (NulGuard); a console form's field is not.
                    valid = Violations.add(context, "must not contain the NUL character (U+0000)", "payload",
                            "entity_id");
                }
            }
            long maxTtl = config.get().maxTtl().toSeconds();
            Integer ttl = request.ttlSeconds();
            if (ttl != null && (ttl < 1 || ttl > maxTtl)) {
                valid = Violations.add(context, "must be between 1 and " + maxTtl, "ttlSeconds");
            }
            return valid;
        }
    }
}
