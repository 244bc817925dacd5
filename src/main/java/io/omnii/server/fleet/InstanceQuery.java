package io.omnii.server.fleet;

import java.util.List;
import java.util.Optional;

/** Filters of GET /instances; all optional, and all given must match. */
public record InstanceQuery(Optional<InstanceStatus> status, Optional<String> nameContains, List<String> tags) {
}
