package io.omnii.server.replica;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.common.Lifecycle;
import io.omnii.server.common.Threads;
import io.omnii.server.mqtt.BrokerConnection;
import io.omnii.server.mqtt.MqttConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Nothing stays stranded in the MQTT session of a replica that never comes back (docs/mqtt.md#replicas). The broker
 * keeps a departed replica's session for omnii.mqtt.session-expiry and goes on queueing its turn of the shared group
 * there. So every replica looks, every half lease on a thread of its own, for {@link Replicas#departed()} identities;
 * the one that takes the lease {@code mqtt-session:<clientId>} connects AS that client id, leaves the group, drains
 * the session into our telemetry channel (acknowledged on that connection, after commit), ends the session (DISCONNECT
 * with session expiry 0) and forgets the departed row. A broker with no session for it (expired): the row is forgotten.
 *
 * <p>A departed replica that returns meanwhile takes its session over; Mosquitto then closes the adopter's connection
 * without a word, and the adopter stops there for good: it never reconnects, and it keeps the lease until it runs
 * out, so no other replica tries while the owner registers again. What the adopter received but had not acknowledged
 * goes to the owner, and writing it twice changes nothing (docs/mqtt.md#acknowledged-after-commit).
 */
@Singleton
public class SessionAdoption {

    static final String LEASE_PREFIX = "mqtt-session:";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final Replicas replicas;
    private final Leases leases;
    private final ReplicaConfig config;
    private final MqttConfig mqtt;
    private final BrokerConnection broker;
    private final Threads threads;
    private final Counter adopted;
    private final Counter drained;
    private volatile boolean stopping;
    private volatile Thread thread;

    SessionAdoption(Replicas replicas, Leases leases, ReplicaConfig config, MqttConfig mqtt, BrokerConnection broker,
            Threads threads, MeterRegistry registry) {
        this.replicas = replicas;
        this.leases = leases;
        this.config = config;
        this.mqtt = mqtt;
        this.broker = broker;
        this.threads = threads;
        this.adopted = Counter.builder("omnii.mqtt.sessions.adopted")
                .description("MQTT sessions of departed replicas this replica drained and ended").register(registry);
        this.drained = Counter.builder("omnii.mqtt.adopted.messages")
                .description("Messages this replica received from departed replicas' MQTT sessions").register(registry);
    }

    /** After the replica has registered ({@link Lifecycle#REPLICA_REGISTRY}): unmarked. */
    void onStart(@Observes StartupEvent event) {
        if (mqtt.adoptDepartedSessions()) {
            thread = threads.start(Threads.Name.SESSION_ADOPTION, this::lookUntilStopped);
        }
    }

    /** With the broker connection's drain: an adoption under way stops, keeping the session for the next adopter. */
    void onStop(@Observes @Priority(Lifecycle.BROKER_DRAIN) ShutdownEvent event) throws InterruptedException {
        stopping = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            t.join(TimeUnit.SECONDS.toMillis(3));
        }
    }

    private void lookUntilStopped() {
        while (!stopping) {
            try {
                Thread.sleep(config.lease().toMillis() / 2);
            } catch (InterruptedException e) {
                return;
            }
            try {
                adoptDeparted();
            } catch (RuntimeException e) {
                Log.warnf("Looking for departed replicas' MQTT sessions failed: %s", e.getMessage());
            }
        }
    }

    /** Adopts, one after the other, the departed identities whose lease this replica takes; how many it ended. */
    public int adoptDeparted() {
        int ended = 0;
        if (!broker.state().connected()) {
            return 0; // the adopter would not reach the broker either
        }
        for (Replicas.Departed departed : replicas.departed()) {
            if (stopping) {
                break;
            }
            try {
                if (adoptIfStillDeparted(departed)) {
                    ended++;
                }
            } catch (RuntimeException e) {
                // One identity that fails (its lease, a database hiccup) must not keep the others waiting behind it.
                Log.warnf("Adopting departed replica %s's MQTT session failed: %s; the next look tries again",
                        departed.clientId(), e.getMessage());
            }
        }
        return ended;
    }

    /** Takes the identity's lease and adopts it if the replica is departed still; whether its session ended. */
    boolean adoptIfStillDeparted(Replicas.Departed departed) {
        String lease = LEASE_PREFIX + departed.clientId();
        if (!leases.takeOrRenew(lease, config.lease())) {
            return false;
        }
        // A replica late with its heartbeat (under load) may have renewed its row since the look: connecting under
        // its client id would take its live session from under it.
        if (replicas.departed().stream().noneMatch(d -> d.incarnation().equals(departed.incarnation()))) {
            leases.release(lease);
            Log.infof("Replica %s renewed its row before its MQTT session was adopted: left alone",
                    departed.clientId());
            return false;
        }
        return adopt(departed);
    }

    /** Drains and ends the departed replica's session, holding its lease; whether it ended. */
    private boolean adopt(Replicas.Departed departed) {
        String lease = LEASE_PREFIX + departed.clientId();
        long start = System.nanoTime();
        BrokerConnection adopter = broker.adopt(departed.clientId());
        boolean present;
        try {
            present = adopter.connectOnce(CONNECT_TIMEOUT);
        } catch (Exception e) {
            // The lease stays until it runs out: the next attempt after it.
            Log.warnf("Cannot connect as departed replica %s to drain its session: %s", departed.clientId(),
                    e.getMessage());
            adopter.leave();
            return false;
        }
        if (!present) {
            adopter.endSession();
            replicas.forget(departed.incarnation());
            leases.release(lease);
            Log.infof("Departed replica %s (last seen %s) left no MQTT session (expired): forgotten",
                    departed.clientId(), departed.lastSeen());
            return true;
        }
        long[] renewed = {System.nanoTime()};
        BrokerConnection.Drained d = adopter.drain(mqtt.drainQuiet(), mqtt.drainTimeout(),
                () -> !stopping && renewed(lease, renewed));
        drained.increment(d.messages());
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (d.quiet()) {
            adopter.endSession();
            replicas.forget(departed.incarnation());
            leases.release(lease);
            adopted.increment();
            Log.infof("Adopted departed replica %s (last seen %s): drained %d messages from its MQTT session and "
                    + "ended it in %d ms", departed.clientId(), departed.lastSeen(), d.messages(), millis);
            return true;
        }
        if (adopter.state().connected()) {
            // Stopping, or not quiet within the drain timeout: the rest waits in the session for the next look.
            adopter.leave();
            leases.release(lease);
            Log.infof("Draining departed replica %s's MQTT session paused after %d messages in %d ms; it resumes",
                    departed.clientId(), d.messages(), millis);
        } else {
            Log.infof("Stopped draining departed replica %s's MQTT session after %d messages in %d ms: the broker "
                    + "closed the connection (the replica is back and took its session over, or the broker is gone)",
                    departed.clientId(), d.messages(), millis);
            adopter.leave();
        }
        return false;
    }

    /** Renews the identity's lease every third of a lease while draining; false once it is lost. */
    private boolean renewed(String lease, long[] last) {
        if (System.nanoTime() - last[0] < config.lease().toNanos() / 3) {
            return true;
        }
        last[0] = System.nanoTime();
        try {
            return leases.takeOrRenew(lease, config.lease());
        } catch (RuntimeException e) {
            Log.debugf("Cannot renew the lease %s: %s", lease, e.getMessage());
            return false;
        }
    }
}
