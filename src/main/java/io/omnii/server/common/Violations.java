package io.omnii.server.common;

import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.ConstraintValidatorContext.ConstraintViolationBuilder.NodeBuilderCustomizableContext;

/** For constraint validators that check several fields of a request and name each field that broke a rule. */
public final class Violations {

    private Violations() {
    }

    /**
     * Adds a violation with this message (taken as it is, not as a template) at the field path below the validated
     * object; returns false, the validator's verdict. Call {@code disableDefaultConstraintViolation()} first.
     */
    public static boolean add(ConstraintValidatorContext context, String message, String... path) {
        String literal = message.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("$", "\\$");
        NodeBuilderCustomizableContext node = context.buildConstraintViolationWithTemplate(literal)
                .addPropertyNode(path[0]);
        for (int i = 1; i < path.length; i++) {
            node = node.addPropertyNode(path[i]);
        }
        node.addConstraintViolation();
        return false;
    }
}
