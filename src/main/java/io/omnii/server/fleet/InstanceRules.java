package io.omnii.server.fleet;

import io.omnii.server.common.Validation;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/** What a valid instance name and tag list look like; shared by enrollment and PATCH. */
public final class InstanceRules {

    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_TAGS = 32;
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private InstanceRules() {
    }

    public static void checkName(Validation v, String field, String name) {
        v.check(name != null && !name.isBlank(), field, "is required")
                .check(name == null || name.strip().length() <= MAX_NAME_LENGTH, field,
                        "must be at most " + MAX_NAME_LENGTH + " characters")
                .check(name == null || !CONTROL.matcher(name).find(), field, "must not contain control characters");
    }

    public static void checkTags(Validation v, String field, List<String> tags) {
        checkTagFilter(v, field, tags);
        v.check(tags.stream().allMatch(t -> t != null && TAG.matcher(t).matches()), field,
                "each tag is 1-64 letters, digits or _ . : - and starts with a letter or digit");
    }

    /**
     * A filter by tags (a listing's, a bulk command's target) names at most {@link #MAX_TAGS}: an instance has no
     * more, and each is a condition of the query, which thousands would overflow.
     */
    public static void checkTagFilter(Validation v, String field, List<String> tags) {
        v.check(tags.size() <= MAX_TAGS, field, "at most " + MAX_TAGS + " tags");
    }

    /** Tags keep their order; repeats are dropped. */
    public static List<String> normalizeTags(List<String> tags) {
        return List.copyOf(new LinkedHashSet<>(tags));
    }
}
