package io.omnii.server.console;

import io.omnii.server.common.ApiException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What the console's forms send, made into the API's request records. A form's fields arrive as text: they are
 * checked here as the API's JSON door checks a body (NUL refused, numbers whole), then the record is validated with
 * the API's own constraints, so a form can pass nothing the API would refuse.
 */
final class Forms {

    /** The NUL character is stored by PostgreSQL in no text column; the API's JSON door refuses it the same way. */
    static final String NUL = "must not contain the NUL character (U+0000)";

    private Forms() {
    }

    /** The field's text, null when empty or absent (the API's "not given"); NUL refused. */
    static String text(String field, String value) {
        return value == null || value.isEmpty() ? null : typed(field, value);
    }

    /** The field as typed, an empty one kept (an open network's Wi-Fi password); NUL refused. */
    static String typed(String field, String value) {
        if (value != null && value.indexOf('\0') >= 0) {
            throw ApiException.invalid(field, NUL);
        }
        return value;
    }

    /** A whole number from {@code min} to {@code max}, {@code fallback} when the field is empty, else a 400. */
    static int whole(String field, String value, int min, int max, int fallback) {
        String text = text(field, value);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.invalid(field, "must be a whole number from " + min + " to " + max);
    }

    /** A whole number, or null when the field is empty. */
    static Integer whole(String field, String value) {
        String text = text(field, value);
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw ApiException.invalid(field, "must be a whole number");
        }
    }

    /** Tags typed as "a, b c": separated by commas or white space; null when none were typed. */
    static List<String> tags(String field, String value) {
        String text = text(field, value);
        if (text == null || text.isBlank()) {
            return null;
        }
        return Arrays.stream(text.split("[,\\s]+")).filter(t -> !t.isEmpty()).toList();
    }

    /** The record, if it keeps the API's constraints; else the API's 400 naming the fields. */
    static <T> T valid(Validator validator, T request) {
        Set<ConstraintViolation<T>> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            throw new ConstraintViolationException(violations);
        }
        return request;
    }
}
