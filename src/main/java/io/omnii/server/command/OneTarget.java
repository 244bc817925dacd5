package io.omnii.server.command;

import io.omnii.server.command.CommandPayloads.BulkCommandRequest;
import io.omnii.server.common.Violations;
import io.omnii.server.fleet.InstanceRules;
import io.omnii.server.fleet.Tag;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A bulk command's target names exactly one of instanceIds, status or tags; tags are at least one and at most
 * {@link InstanceRules#MAX_TAGS}, each a valid {@link Tag}. Whether the ids and the status name instances is the service's question.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = OneTarget.Validator.class)
public @interface OneTarget {

    String message() default "name exactly one of instanceIds, status or tags";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<OneTarget, BulkCommandRequest> {

        private static final Tag.Validator TAG = new Tag.Validator();

        @Override
        public boolean isValid(BulkCommandRequest request, ConstraintValidatorContext context) {
            if (request == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            CommandPayloads.Target target = request.target();
            int given = target == null ? 0 : (target.instanceIds() != null ? 1 : 0) + (target.status() != null ? 1 : 0)
                    + (target.tags() != null ? 1 : 0);
            boolean valid = given == 1 || Violations.add(context, "name exactly one of instanceIds, status or tags",
                    "target");
            if (target != null && target.tags() != null) {
                if (target.tags().isEmpty()) {
                    valid = Violations.add(context, "name at least one tag", "target", "tags");
                }
                if (target.tags().size() > InstanceRules.MAX_TAGS) {
                    valid = Violations.add(context, "at most " + InstanceRules.MAX_TAGS + " tags", "target", "tags");
                }
                // A tag no instance can carry would target nothing: refused rather than queued as an empty batch.
                if (!target.tags().stream().allMatch(t -> TAG.isValid(t, null))) {
                    valid = Violations.add(context, Tag.RULE, "target", "tags");
                }
            }
            return valid;
        }
    }
}
