package io.omnii.server.fleet;

import io.omnii.server.common.WireEnum;
import java.util.Optional;

/** Where an instance stands. The first three are what the add-on guide's status payload reports. */
public enum InstanceStatus implements WireEnum {
    ONLINE,
    OFFLINE,
    ERROR,
    DECOMMISSIONED;

    public static Optional<InstanceStatus> fromWire(String value) {
        return WireEnum.fromWire(InstanceStatus.class, value);
    }
}
