package io.omnii.server.audit;

import io.omnii.server.common.WireEnum;
import java.util.Optional;

/** How an audited action ended: done, tried and failed (a Matter Server's refusal), or refused to the caller. */
public enum Outcome implements WireEnum {
    SUCCESS,
    FAILURE,
    DENIED;

    public static Optional<Outcome> fromWire(String value) {
        return WireEnum.fromWire(Outcome.class, value);
    }
}
