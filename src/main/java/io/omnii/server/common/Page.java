package io.omnii.server.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.function.Function;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One page of a listing; {@code page} counts from 0, and is null for a page reached by cursor (nothing counted the
 * pages before it). {@code next}, in listings that take a cursor, resumes after this page; absent on the last.
 */
public record Page<T>(List<T> items, @Schema(nullable = true) Integer page, int size, long total,
        @JsonInclude(JsonInclude.Include.NON_NULL) String next) {

    public static final int DEFAULT_SIZE = 50;
    public static final int MAX_SIZE = 500;
    /** Beyond it page × size, the rows skipped, would overflow an int. */
    public static final int MAX_PAGE = Integer.MAX_VALUE / MAX_SIZE;

    /** A page of a listing that takes no cursor. */
    public Page(List<T> items, int page, int size, long total) {
        this(items, page, size, total, null);
    }

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(items.stream().map(mapper).toList(), page, size, total, next);
    }

    /** Checks the page query parameters, applying the defaults. Taken as text so a non-number is a 400. */
    public static PageRequest request(String page, String size) {
        int p = parse(page, 0);
        int s = parse(size, DEFAULT_SIZE);
        new Validation()
                .check(p >= 0 && p <= MAX_PAGE, "page", "must be between 0 and " + MAX_PAGE)
                .check(s >= 1 && s <= MAX_SIZE, "size", "must be between 1 and " + MAX_SIZE)
                .throwIfInvalid();
        return new PageRequest(p, s);
    }

    /** A numeric query parameter taken as text; a non-number becomes a value every range check refuses. */
    public static int parse(String value, int absent) {
        if (value == null || value.isBlank()) {
            return absent;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return Integer.MIN_VALUE; // fails the range check with the field's name
        }
    }

    public record PageRequest(int page, int size) {
    }
}
