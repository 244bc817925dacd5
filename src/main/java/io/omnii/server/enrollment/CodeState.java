package io.omnii.server.enrollment;

import io.omnii.server.common.WireEnum;

public enum CodeState implements WireEnum {
    ACTIVE,
    USED,
    EXPIRED,
    REVOKED
}
