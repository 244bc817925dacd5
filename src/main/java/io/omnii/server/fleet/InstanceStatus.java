package io.omnii.server.fleet;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Where an instance stands. The first three are what the add-on guide's status payload reports. */
public enum InstanceStatus {
    ONLINE,
    OFFLINE,
    ERROR,
    DECOMMISSIONED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<InstanceStatus> fromWire(String value) {
        return Arrays.stream(values()).filter(s -> s.wire().equals(value)).findFirst();
    }
}
