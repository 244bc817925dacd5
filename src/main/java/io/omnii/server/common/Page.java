package io.omnii.server.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.QueryParam;
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

    public record PageRequest(int page, int size) {
    }

    /** The page and size query parameters of a listing, checked by Bean Validation; absent ones take the defaults. */
    public static class Params {

        @QueryParam("page")
        @WholeNumber(min = 0, max = MAX_PAGE)
        protected String page;

        @QueryParam("size")
        @WholeNumber(min = 1, max = MAX_SIZE)
        protected String size;

        public PageRequest request() {
            return new PageRequest((int) WholeNumber.Validator.parse(page, 0),
                    (int) WholeNumber.Validator.parse(size, DEFAULT_SIZE));
        }
    }
}
