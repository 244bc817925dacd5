package io.omnii.server.common;

import java.util.ArrayList;
import java.util.List;

/** Collects field violations so one answer names every bad field at once. */
public final class Validation {

    private final List<ApiError.Violation> violations = new ArrayList<>();

    public Validation check(boolean ok, String field, String message) {
        if (!ok) {
            violations.add(new ApiError.Violation(field, message));
        }
        return this;
    }

    /** Throws a 400 naming every failed check, if any failed. */
    public void throwIfInvalid() {
        if (!violations.isEmpty()) {
            throw ApiException.invalid(List.copyOf(violations));
        }
    }
}
