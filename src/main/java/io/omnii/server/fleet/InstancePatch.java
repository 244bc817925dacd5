package io.omnii.server.fleet;

import jakarta.validation.constraints.Size;
import java.util.List;

/** PATCH /instances/{id}: each field given is replaced, each absent one is left alone. */
public record InstancePatch(@InstanceName String name,
        @Size(max = InstanceRules.MAX_TAGS, message = InstanceRules.TOO_MANY_TAGS) List<@Tag String> tags) {
}
