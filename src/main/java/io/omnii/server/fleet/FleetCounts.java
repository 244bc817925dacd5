package io.omnii.server.fleet;

import java.util.Map;

/**
 * How many instances a caller may see are in each state. "Never seen" instances (enrolled, never heard from) are
 * offline ones set apart: {@link #offline()} leaves them out, so the five numbers add up to the whole.
 */
public record FleetCounts(Map<InstanceStatus, Long> byState, long neverSeen) {

    public long online() {
        return of(InstanceStatus.ONLINE);
    }

    public long offline() {
        return of(InstanceStatus.OFFLINE) - neverSeen;
    }

    public long error() {
        return of(InstanceStatus.ERROR);
    }

    public long decommissioned() {
        return of(InstanceStatus.DECOMMISSIONED);
    }

    private long of(InstanceStatus status) {
        return byState.getOrDefault(status, 0L);
    }
}
