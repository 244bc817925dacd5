package io.omnii.server.command;

import io.omnii.server.common.Threads;
import io.omnii.server.common.Times;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.command.CommandPayloads.CommandMessage;
import io.omnii.server.mqtt.BrokerConnection;
import io.omnii.server.mqtt.Topics;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;

/**
 * Sends queued commands to online instances. A command is first claimed in the database (SKIP LOCKED, so two
 * replicas never take the same one), then published at QoS 1, and marked sent on the broker's PUBACK. A failed
 * publish puts it back in the queue; after {@code omnii.commands.max-attempts} it fails. A periodic sweep expires,
 * times out and re-queues what a vanished replica left claimed.
 */
@Singleton
public class CommandDispatcher {

    private static final int CLAIM_LIMIT = 200;
    private static final long STALE_CLAIM_SECONDS = 60;
    private static final String CLAIM = """
            UPDATE command SET state = 'sending', attempts = attempts + 1, updated_at = :now, sent_at = :now
             WHERE id IN (SELECT c.id FROM command c JOIN instance i ON i.id = c.instance_id
                           WHERE c.state = 'queued' AND i.status = 'online' AND c.expires_at > :now %s
                           ORDER BY c.created_at LIMIT :limit FOR UPDATE OF c SKIP LOCKED)
            RETURNING id, instance_id, command, CAST(payload AS text) AS payload, created_at""";

    private final ExecutorService executor;
    private final EntityManager em;
    private final BrokerConnection broker;
    private final Clock clock;
    private final CommandConfig config;
    private final ObjectMapper mapper;
    private final CommandMetrics metrics;

    CommandDispatcher(EntityManager em, BrokerConnection broker, Clock clock, CommandConfig config, ObjectMapper mapper,
            CommandMetrics metrics, Threads threads) {
        this.executor = threads.sequential(Threads.Name.COMMAND_DISPATCHER);
        this.em = em;
        this.broker = broker;
        this.clock = clock;
        this.config = config;
        this.mapper = mapper;
        this.metrics = metrics;
    }

    /** Sends, off the caller's thread, what is queued for these instances (all instances when null). */
    public void dispatchSoon(Collection<UUID> instanceIds) {
        executor.execute(() -> dispatch(instanceIds));
    }

    /** Only once committed: before that the claim cannot see the new commands. */
    void onQueued(@Observes(during = TransactionPhase.AFTER_SUCCESS) CommandsQueued queued) {
        dispatchSoon(queued.instanceIds());
    }

    /** A command claimed for sending: a row of {@link #CLAIM}'s RETURNING. */
    record Claimed(UUID id, UUID instanceId, String command, String payload, Instant createdAt) {

        static Claimed of(Tuple row) {
            return new Claimed(row.get("id", UUID.class), row.get("instance_id", UUID.class),
                    row.get("command", String.class), row.get("payload", String.class),
                    Times.instant(row.get("created_at")));
        }
    }

    /**
     * Expires, times out, cancels and releases, then sends whatever can go: the safety net for missed wake-ups.
     * Every {@link CommandConfig#sweepInterval()}.
     */
    @Scheduled(every = "${omnii.commands.sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void sweep() {
        expireCancelRelease(now());
        dispatch(null);
    }

    /** Its own transaction, committed before the sweep dispatches what is left. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    void expireCancelRelease(OffsetDateTime now) {
        int expired = count(CommandState.EXPIRED, em.createNativeQuery("UPDATE command SET state = 'expired',"
                + " updated_at = :now WHERE state = 'queued' AND expires_at <= :now RETURNING command")
                .setParameter("now", now)
                .getResultList());
        int timedOut = count(CommandState.TIMED_OUT, em.createNativeQuery("UPDATE command SET state = 'timed_out',"
                + " updated_at = :now WHERE state = 'sent' AND command IN ('get_status', 'get_metrics')"
                + " AND sent_at < :cutoff RETURNING command")
                .setParameter("now", now)
                .setParameter("cutoff", now.minus(config.completionTimeout()))
                .getResultList());
        // Decommissioning cancels what is queued; this catches a command that was being sent at that moment and
        // came back to queued (its publish failed, or its claim went stale), which would otherwise wait out its
        // time to live.
        int cancelled = count(CommandState.CANCELLED, em.createNativeQuery("UPDATE command c"
                + " SET state = 'cancelled', updated_at = :now FROM instance i"
                + " WHERE c.instance_id = i.id AND i.status = 'decommissioned'"
                + " AND c.state = 'queued' RETURNING c.command")
                .setParameter("now", now)
                .getResultList());
        int released = em.createNativeQuery("UPDATE command SET state = 'queued', sent_at = NULL, updated_at = :now"
                + " WHERE state = 'sending' AND updated_at < :cutoff")
                .setParameter("now", now)
                .setParameter("cutoff", now.minusSeconds(STALE_CLAIM_SECONDS))
                .executeUpdate();
        if (expired + timedOut + cancelled + released > 0) {
            Log.infof("Commands: %d expired, %d timed out, %d cancelled, %d released for another try", expired,
                    timedOut, cancelled, released);
        }
    }

    /** Claims and publishes queued commands of online instances, in batches until none is left. */
    void dispatch(Collection<UUID> instanceIds) {
        if (!broker.state().connected()) {
            return; // the sweep retries once the broker is back
        }
        List<Claimed> claimed;
        do {
            claimed = claim(instanceIds);
            claimed.forEach(this::publish);
        } while (claimed.size() == CLAIM_LIMIT);
    }

    /** One transaction per batch, committed before its commands are published: the claim is what a PUBACK marks. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    @SuppressWarnings("unchecked")
    List<Claimed> claim(Collection<UUID> instanceIds) {
        // One array parameter, not one per instance: a batch that brought 500 instances online would otherwise be a
        // statement with 500 parameters, parsed and planned anew for every count.
        var query = em.createNativeQuery(CLAIM.formatted(instanceIds == null ? "" : "AND c.instance_id = ANY(:ids)"),
                        Tuple.class)
                .setParameter("now", now())
                .setParameter("limit", CLAIM_LIMIT);
        if (instanceIds != null) {
            if (instanceIds.isEmpty()) {
                return List.of();
            }
            query.setParameter("ids", instanceIds.toArray(UUID[]::new));
        }
        return ((List<Tuple>) query.getResultList()).stream().map(Claimed::of).toList();
    }

    private void publish(Claimed row) {
        UUID id = row.id();
        UUID instanceId = row.instanceId();
        CommandName command = CommandName.fromWire(row.command()).orElseThrow();
        byte[] message;
        try {
            message = mapper.writeValueAsBytes(new CommandMessage(row.command(), mapper.readTree(row.payload()), id,
                    row.createdAt().toEpochMilli()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored payload of command " + id + " is not JSON", e);
        }
        broker.publish(Topics.commands(instanceId), message).whenCompleteAsync((ok, failure) -> {
            if (failure == null) {
                if (mark(id, command, "UPDATE command SET state = 'sent', updated_at = :now"
                        + " WHERE id = :id AND state = 'sending' RETURNING state", null) && !command.expectsReply()) {
                    metrics.finished(command, CommandState.SENT, 1);
                }
            } else {
                Log.warnf("Command %s to %s not sent: %s", id, instanceId, failure.getMessage());
                mark(id, command, "UPDATE command SET state = CASE WHEN attempts >= " + config.maxAttempts()
                        + " THEN 'failed' ELSE 'queued' END, error = :error, sent_at = NULL, updated_at = :now"
                        + " WHERE id = :id AND state = 'sending' RETURNING state", failure.getMessage());
            }
        }, executor);
    }

    /** Moves a command on from 'sending'; whether it was still there to move. Counts it if it failed for good. */
    private boolean mark(UUID id, CommandName command, String sql, String error) {
        List<?> states = moveOn(id, sql, error);
        if (states.contains(CommandState.FAILED.wire())) {
            metrics.finished(command, CommandState.FAILED, 1);
        }
        return !states.isEmpty();
    }

    /** The new state, if the command was still 'sending'; one transaction per command, as PUBACKs come. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    List<?> moveOn(UUID id, String sql, String error) {
        var query = em.createNativeQuery(sql).setParameter("now", now()).setParameter("id", id);
        if (error != null) {
            query.setParameter("error", error.length() > 500 ? error.substring(0, 500) : error);
        }
        return query.getResultList();
    }

    /** Counts commands that reached a final state, from the command names an UPDATE ... RETURNING gave back. */
    private int count(CommandState state, List<?> commands) {
        commands.forEach(c -> metrics.finished(CommandName.fromWire((String) c).orElseThrow(), state, 1));
        return commands.size();
    }

    private OffsetDateTime now() {
        return Times.utc(clock.instant());
    }
}
