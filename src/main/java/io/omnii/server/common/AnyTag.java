package io.omnii.server.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The HQL condition "this tags column shares at least one of these tags" (PostgreSQL's {@code tags && array}), for
 * scopes. Written as one {@code array_contains} per tag, which Hibernate renders {@code tags @> cast(array[?] as text[])}
 * and the GIN index on the column answers (a bitmap OR): Hibernate binds a whole array parameter as varchar[], which
 * {@code text[] && } refuses, and HQL cannot cast to text[].
 */
public final class AnyTag {

    private AnyTag() {
    }

    /**
     * The condition on {@code path} (e.g. {@code tags}, {@code i.tags}), with its parameters named {@code prefix0},
     * {@code prefix1}... put into {@code params}. {@code tags} must not be empty: no tag matches nothing.
     */
    public static String of(String path, List<String> tags, String prefix, Map<String, Object> params) {
        if (tags.isEmpty()) {
            throw new IllegalArgumentException("No tags to match");
        }
        List<String> any = new ArrayList<>(tags.size());
        for (int i = 0; i < tags.size(); i++) {
            any.add("array_contains(" + path + ", :" + prefix + i + ")");
            params.put(prefix + i, tags.get(i));
        }
        return "(" + String.join(" or ", any) + ")";
    }
}
