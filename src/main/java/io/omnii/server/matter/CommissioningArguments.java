package io.omnii.server.matter;

import io.omnii.server.common.Violations;
import io.omnii.server.matter.MatterPayloads.CommissioningRequest;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A commissioning request the Matter Server can take: either a pairing code (with optional credential ids) or a
 * setup passcode for a device already on the network (with an optional filter or address), never a mix. Which of
 * the two comes first; only then the fields of that method, each broken rule naming its field.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = CommissioningArguments.Validator.class)
public @interface CommissioningArguments {

    String message() default "is not a commissioning request";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<CommissioningArguments, CommissioningRequest> {

        @Override
        public boolean isValid(CommissioningRequest r, ConstraintValidatorContext context) {
            if (r == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            if (r.code() != null && r.setupPinCode() != null) {
                return Violations.add(context, "give either code or setupPinCode, not both", "code");
            }
            if (r.code() == null && r.setupPinCode() == null) {
                return Violations.add(context, CommissioningService.NO_METHOD, "code");
            }
            return r.code() != null ? withCode(r, context) : onNetwork(r, context);
        }

        private static boolean withCode(CommissioningRequest r, ConstraintValidatorContext context) {
            boolean valid = true;
            if (r.filterType() != null || r.filter() != null || r.ipAddress() != null) {
                valid = Violations.add(context,
                        "filterType, filter and ipAddress belong to commissioning on the network (setupPinCode)", "code");
            }
            try {
                SetupCode.parse(r.code());
            } catch (IllegalArgumentException e) {
                valid = Violations.add(context, e.getMessage(), "code");
            }
            if (r.wifiCredentialsId() != null && !MatterRelay.credentialId(r.wifiCredentialsId())) {
                valid = Violations.add(context, MatterRelay.CREDENTIAL_ID_RULE, "wifiCredentialsId");
            }
            if (r.threadDatasetId() != null && !MatterRelay.credentialId(r.threadDatasetId())) {
                valid = Violations.add(context, MatterRelay.CREDENTIAL_ID_RULE, "threadDatasetId");
            }
            return valid;
        }

        private static boolean onNetwork(CommissioningRequest r, ConstraintValidatorContext context) {
            boolean valid = true;
            try {
                SetupCode.checkPasscode(r.setupPinCode());
            } catch (IllegalArgumentException e) {
                valid = Violations.add(context,
                        "must be a valid Matter setup passcode (1 to 99999998, not a trivial one)", "setupPinCode");
            }
            int filterType = r.filterType() == null ? 0 : r.filterType();
            if (filterType < 0 || filterType > 4) {
                valid = Violations.add(context, "must be 0 (none), 1 (short discriminator), 2 (long discriminator),"
                        + " 3 (vendor id) or 4 (device type)", "filterType");
            }
            long maximum = CommissioningService.filterMaximum(filterType);
            if (filterType != 0 && (r.filter() == null || !r.filter().canConvertToLong() || r.filter().asLong() < 0
                    || r.filter().asLong() > maximum)) {
                valid = Violations.add(context, "is required by the filterType, as a number up to " + maximum,
                        "filter");
            }
            if (filterType == 0 && r.filter() != null && !r.filter().isNull()) {
                valid = Violations.add(context, "needs a filterType", "filter");
            }
            if (r.ipAddress() != null && !CommissioningService.ipLiteral(r.ipAddress())) {
                valid = Violations.add(context, "must be an IPv4 or IPv6 address (an IPv6 one may have a %scope)",
                        "ipAddress");
            }
            if (r.networkOnly() != null) {
                valid = Violations.add(context, "belongs to commissioning with a code", "networkOnly");
            }
            if (r.wifiCredentialsId() != null || r.threadDatasetId() != null) {
                valid = Violations.add(context, "credential ids belong to commissioning with a code", "code");
            }
            return valid;
        }
    }
}
