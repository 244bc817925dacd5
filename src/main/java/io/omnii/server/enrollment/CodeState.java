package io.omnii.server.enrollment;

import io.omnii.server.common.WireEnum;

public enum CodeState implements WireEnum {
    ACTIVE,
    USED,
    EXPIRED,
    REVOKED,
    /** Not used, revoked or expired, but hashed under another key (the admin token changed): it can never enroll. */
    VOID
}
