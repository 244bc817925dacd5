package io.omnii.server.fleet;

import java.util.List;

/** PATCH /instances/{id}: each field given is replaced, each absent one is left alone. */
public record InstancePatch(String name, List<String> tags) {
}
