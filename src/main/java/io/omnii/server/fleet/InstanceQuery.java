package io.omnii.server.fleet;

import java.util.List;
import java.util.Optional;

/**
 * Filters of a listing of instances; all optional, and all given must match.
 *
 * @param everSeen true: only instances heard from at least once; false: only those never heard from (the console's
 *        "never seen"); empty: either
 */
public record InstanceQuery(Optional<InstanceStatus> status, Optional<String> nameContains, List<String> tags,
        Optional<Boolean> everSeen) {

    /** The filters of GET /instances, which does not ask whether an instance was ever heard from. */
    public InstanceQuery(Optional<InstanceStatus> status, Optional<String> nameContains, List<String> tags) {
        this(status, nameContains, tags, Optional.empty());
    }
}
