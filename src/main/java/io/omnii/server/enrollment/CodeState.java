package io.omnii.server.enrollment;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

public enum CodeState {
    ACTIVE,
    USED,
    EXPIRED,
    REVOKED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
