package io.omnii.server.common;

import jakarta.interceptor.Interceptor;

/**
 * The phases of start-up and shutdown that correctness depends on, as CDI observer priorities ({@code @Priority} on
 * an observed {@code StartupEvent} or {@code ShutdownEvent}; lower runs first, unmarked observers run at
 * {@code Interceptor.Priority.APPLICATION + 500}). Every such order the server relies on is named here, with why.
 */
public final class Lifecycle {

    /**
     * SmallRye Reactive Messaging wires its channels at this priority, which registers the telemetry receivers with
     * the broker connection; BrokerAccounts creates the server's own broker account here too, since the broker
     * connection logs in with it.
     */
    public static final int ACCOUNTS_AND_CHANNELS = Interceptor.Priority.LIBRARY_BEFORE;

    /**
     * The replica's row is written before the broker connection: connected under our client id with no live row, a
     * replica adopting what looks like a departed identity would take the session from under us once.
     */
    public static final int REPLICA_ROW = ACCOUNTS_AND_CHANNELS - 1;

    /**
     * The broker connection, right after {@link #ACCOUNTS_AND_CHANNELS}: a kept session is redelivered at once on
     * connect, and a message with no receiver yet would be dropped unacknowledged. Before every other observer, so
     * the connection is made on the MQTT client's threads while they run.
     */
    public static final int BROKER_CONNECTION = ACCOUNTS_AND_CHANNELS + 1;

    /**
     * The replica's heartbeat starts, taking the leader lease if nobody holds it, after the broker connection and
     * before every unmarked observer, so that those know whether this replica leads.
     */
    public static final int REPLICA_REGISTRY = Interceptor.Priority.APPLICATION;

    /**
     * On shutdown, the broker connection drains first (mqtt/BrokerConnection#stop): it leaves the shared group and
     * waits until the telemetry writer has committed and acknowledged what it received, before every unmarked observer
     * (the writer's stop, the replica signing off) and before SmallRye tears its channels down.
     */
    public static final int BROKER_DRAIN = Interceptor.Priority.APPLICATION;

    /**
     * On shutdown, the server's own threads and executors stop (common/Threads) after every unmarked observer: the
     * owners stop their work first (close connections, fail what is pending), which may still hand tasks to them.
     */
    public static final int STOP_THREADS = Interceptor.Priority.PLATFORM_AFTER;

    private Lifecycle() {
    }
}
