package io.omnii.server.fleet;

import java.util.LinkedHashSet;
import java.util.List;

/** Limits of an instance's name and tags (checked by {@link InstanceName} and {@link Tag}); shared with commands. */
public final class InstanceRules {

    public static final int MAX_NAME_LENGTH = 200;
    /**
     * An instance has at most this many tags, and a filter by tags (a listing's, a bulk command's target) names at
     * most as many: each is a condition of the query, which thousands would overflow.
     */
    public static final int MAX_TAGS = 32;
    public static final String TOO_MANY_TAGS = "at most {max} tags";

    private InstanceRules() {
    }

    /** Tags keep their order; repeats are dropped. */
    public static List<String> normalizeTags(List<String> tags) {
        return List.copyOf(new LinkedHashSet<>(tags));
    }
}
