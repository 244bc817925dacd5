package io.omnii.server.replica;

import io.omnii.server.common.Lifecycle;
import io.omnii.server.common.Threads;
import io.omnii.server.common.Times;
import io.omnii.server.mqtt.BrokerConnection;
import io.omnii.server.mqtt.MqttConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * This server process among its replicas (docs/architecture.md#replicas). Each process start is a new incarnation
 * with a row in {@code replica}, renewed every heartbeat on a thread of its own; a row older than the lease is a
 * replica that is gone (killed, its node lost, its network cut), and what it owned is taken over by the others. Its
 * identity across restarts is its MQTT client id.
 */
@Singleton
public class Replicas {

    /** Rows renewed within the lease, by PostgreSQL's clock. */
    private static final String LIVE = "seen_at > clock_timestamp() - :lease * interval '1 millisecond'";

    private final UUID incarnation;
    private final EntityManager em;
    private final ReplicaConfig config;
    private final MqttConfig mqtt;
    private final Leadership leadership;
    private final Threads threads;
    private final BrokerConnection broker;
    private volatile boolean stopping;
    private volatile Thread heart;
    private boolean registered;

    Replicas(Incarnation incarnation, EntityManager em, ReplicaConfig config, MqttConfig mqtt, Leadership leadership,
            Threads threads, BrokerConnection broker) {
        this.incarnation = incarnation.id;
        this.em = em;
        this.config = config;
        this.mqtt = mqtt;
        this.leadership = leadership;
        this.threads = threads;
        this.broker = broker;
    }

    /** This process start: what owners record (a commissioning attempt, a command claim) to be found gone later. */
    public UUID incarnation() {
        return incarnation;
    }

    /** The identity this replica keeps across restarts: its MQTT client id. */
    public String clientId() {
        return mqtt.clientId();
    }

    void register(@Observes @Priority(Lifecycle.REPLICA_ROW) StartupEvent event) {
        if (config.lease().compareTo(config.heartbeatInterval().multipliedBy(2)) < 0) {
            throw new IllegalStateException("omnii.replicas.lease (" + config.lease() + ") must be at least twice "
                    + "omnii.replicas.heartbeat-interval (" + config.heartbeatInterval() + ")");
        }
        renewRow();
    }

    void onStart(@Observes @Priority(Lifecycle.REPLICA_REGISTRY) StartupEvent event) {
        // The first heartbeat before start-up goes on, so the observers after this one know whether we lead.
        beat();
        heart = threads.start(Threads.Name.REPLICAS, this::beatUntilStopped);
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        Thread t = heart;
        if (t != null) {
            t.interrupt();
            try {
                // A beat under way would write our row or the lease again after we removed them.
                t.join(config.heartbeatInterval().toMillis() + 1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        signOff(broker.drainedCleanly());
    }

    /**
     * Gives up the leadership and, when the MQTT drain finished, deletes our row. A drain cut short leaves the row to
     * go stale: the session may still hold what this replica received and did not acknowledge, and a stale row has it
     * adopted like a dead replica's (mqtt.md#replicas).
     */
    void signOff(boolean drained) {
        try {
            leadership.release();
            if (drained) {
                forget(incarnation);
            } else {
                Log.warnf("The MQTT drain did not finish: replica %s is left to be taken for gone and its session "
                        + "adopted", clientId());
            }
        } catch (RuntimeException e) {
            Log.debugf("Cannot sign this replica off: %s; it will be taken for gone after %s", e.getMessage(),
                    config.lease());
        }
    }

    private void beatUntilStopped() {
        while (!stopping) {
            try {
                Thread.sleep(config.heartbeatInterval().toMillis());
            } catch (InterruptedException e) {
                return;
            }
            try {
                beat();
            } catch (RuntimeException | Error e) {
                // A heartbeat that stops would have the others take this live replica for gone: keep beating.
                Log.errorf(e, "A replica heartbeat failed");
            }
        }
    }

    /** Renews our row, then the leader lease; a database that does not answer lets both run out. */
    void beat() {
        renewRow();
        if (!stopping) {
            leadership.renew();
        }
    }

    private void renewRow() {
        try {
            renew();
            if (!registered) {
                registered = true;
                Log.infof("Replica %s (incarnation %s) registered; %d live", clientId(), incarnation, liveCount());
            }
        } catch (RuntimeException e) {
            Log.debugf("Cannot renew this replica's row: %s", e.getMessage());
        }
    }

    /**
     * Inserts or renews our row. Rows of earlier incarnations with our client id are gone for good: we are that
     * identity again, and its MQTT session is ours.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    void renew() {
        int renewed = em.createNativeQuery("UPDATE replica SET seen_at = clock_timestamp() WHERE incarnation = :me")
                .setParameter("me", incarnation).executeUpdate();
        if (renewed == 0) {
            em.createNativeQuery("DELETE FROM replica WHERE client_id = :clientId").setParameter("clientId", clientId())
                    .executeUpdate();
            em.createNativeQuery("""
                    INSERT INTO replica (incarnation, client_id, started_at, seen_at)
                    VALUES (:me, :clientId, clock_timestamp(), clock_timestamp())""")
                    .setParameter("me", incarnation).setParameter("clientId", clientId()).executeUpdate();
        }
    }

    /** Removes an incarnation's row: ours at a graceful stop, or a gone one's once what it left is taken over. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void forget(UUID gone) {
        em.createNativeQuery("DELETE FROM replica WHERE incarnation = :gone").setParameter("gone", gone)
                .executeUpdate();
    }

    /**
     * The live incarnations as a subquery for other features' SQL ({@code owner NOT IN (...)}), judged as
     * {@link #isLive} judges: by PostgreSQL's clock, within the lease.
     */
    public String liveIncarnationsSql() {
        return "SELECT incarnation FROM replica WHERE seen_at > clock_timestamp() - " + config.lease().toMillis()
                + " * interval '1 millisecond'";
    }

    /** Whether that incarnation is alive: its row was renewed within the lease. Ours always is. */
    @Transactional
    public boolean isLive(UUID other) {
        if (incarnation.equals(other)) {
            return true;
        }
        return !em.createNativeQuery("SELECT 1 FROM replica WHERE incarnation = :other AND " + LIVE)
                .setParameter("other", other).setParameter("lease", config.lease().toMillis()).getResultList()
                .isEmpty();
    }

    /** The live incarnations, ours included. */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<UUID> live() {
        List<UUID> live = new ArrayList<>(em.createNativeQuery(
                        "SELECT incarnation FROM replica WHERE incarnation <> :me AND " + LIVE, UUID.class)
                .setParameter("me", incarnation).setParameter("lease", config.lease().toMillis()).getResultList());
        live.add(incarnation);
        return live;
    }

    public int liveCount() {
        return live().size();
    }

    /** A gone replica: its incarnation, the MQTT client id it had, and since when nothing was heard of it. */
    public record Departed(UUID incarnation, String clientId, Instant lastSeen) {
    }

    /** Replicas not heard of within the lease, oldest first (whose client id no live replica uses). */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<Departed> departed() {
        List<Object[]> rows = em.createNativeQuery("""
                SELECT r.incarnation, r.client_id, r.seen_at FROM replica r
                 WHERE NOT (%s)
                   AND NOT EXISTS (SELECT 1 FROM replica l WHERE l.client_id = r.client_id AND l.%s)
                 ORDER BY r.seen_at""".formatted(LIVE, LIVE))
                .setParameter("lease", config.lease().toMillis()).getResultList();
        return rows.stream().map(r -> new Departed((UUID) r[0], (String) r[1],
                Times.instant(r[2]))).toList();
    }
}
