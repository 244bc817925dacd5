package io.omnii.server.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnii.server.fleet.InstancePatch;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Payload;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bean Validation's violations become the one error body, each named by its wire field (plain JUnit). */
class BeanValidationErrorsTest {

    private static ValidatorFactory factory;
    private static Validator validator;

    @BeforeAll
    static void start() {
        factory = jakarta.validation.Validation.byDefaultProvider().configure()
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory();
        validator = factory.getValidator();
    }

    @AfterAll
    static void stop() {
        factory.close();
    }

    private static ApiError answer(Object bean) {
        var violations = validator.validate(bean);
        return (ApiError) new ErrorMappers().violations(new ConstraintViolationException(violations)).getEntity();
    }

    private static Page.Params paging(String page, String size) {
        Page.Params params = new Page.Params();
        params.page = page;
        params.size = size;
        return params;
    }

    @Test
    void aPageThatIsNoNumberOrOutOfRangeIsNamedWithItsRange() {
        ApiError error = answer(paging("abc", "501"));
        assertThat(error.status()).isEqualTo(400);
        assertThat(error.error()).isEqualTo("validation_failed");
        assertThat(error.violations()).containsExactly(
                new ApiError.Violation("page", "must be between 0 and " + Page.MAX_PAGE),
                new ApiError.Violation("size", "must be between 1 and " + Page.MAX_SIZE));
    }

    @Test
    void absentOrBlankPagingTakesTheDefaultsAndBlanksAroundANumberAreDropped() {
        assertThat(validator.validate(paging(null, " "))).isEmpty();
        assertThat(paging(null, " ").request()).isEqualTo(new Page.PageRequest(0, Page.DEFAULT_SIZE));
        assertThat(validator.validate(paging(" 7 ", "20"))).isEmpty();
        assertThat(paging(" 7 ", "20").request()).isEqualTo(new Page.PageRequest(7, 20));
    }

    @Test
    void aNameNamesEveryRuleItBreaksAndBadTagsAreOneViolation() {
        ApiError error = answer(new InstancePatch("\n", List.of("has space", "", "ok")));
        assertThat(error.violations()).containsExactly(
                new ApiError.Violation("name", "is required"),
                new ApiError.Violation("name", "must not contain control characters"),
                new ApiError.Violation("tags",
                        "each tag is 1-64 letters, digits or _ . : - and starts with a letter or digit"));
        assertThat(answer(new InstancePatch("x".repeat(201), null)).violations())
                .containsExactly(new ApiError.Violation("name", "must be at most 200 characters"));
        assertThat(validator.validate(new InstancePatch(null, null))).isEmpty();
    }

    @Test
    void aMessageBuiltFromInputIsKeptLetterForLetter() {
        ApiError error = answer(new Literal("{message} costs $5 \\ {"));
        assertThat(error.violations()).containsExactly(new ApiError.Violation("nested.field", "{message} costs $5 \\ {"));
    }

    /** A bean whose constraint reports its own text at a nested field, as the multi-field validators do. */
    @Said
    record Literal(String text) {
    }

    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = SaidValidator.class)
    @interface Said {

        String message() default "";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};
    }

    public static class SaidValidator implements ConstraintValidator<Said, Literal> {

        @Override
        public boolean isValid(Literal value, ConstraintValidatorContext context) {
            context.disableDefaultConstraintViolation();
            return Violations.add(context, value.text(), "nested", "field");
        }
    }
}
