package io.omnii.server.replica;

/**
 * Fired (synchronously, on the replicas' heartbeat thread) when this replica gains or loses the leadership. Observers
 * must not block: they start or stop their work and return.
 */
public record LeadershipChanged(boolean leader) {
}
