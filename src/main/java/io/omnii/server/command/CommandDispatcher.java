package io.omnii.server.command;

import io.omnii.server.common.Threads;
import io.omnii.server.common.Times;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.command.CommandPayloads.CommandMessage;
import io.omnii.server.mqtt.BrokerConnection;
import io.omnii.server.mqtt.Topics;
import io.omnii.server.replica.PeriodicJobs;
import io.omnii.server.replica.Replicas;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
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
 * times out and re-queues what a vanished replica left claimed: at once when the claim names a replica that is gone,
 * after {@link #STALE_CLAIM_SECONDS} otherwise.
 */
@Singleton
public class CommandDispatcher {

    /** The sweep's name in periodic_job and omnii_periodic_job_runs_total. */
    static final String SWEEP_JOB = "command-sweep";
    private static final int CLAIM_LIMIT = 200;
    private static final long STALE_CLAIM_SECONDS = 60;
    // Joined to the instance for its tags, which say who may hear of the move (CommandChanges).
    private static final String CLAIM = """
            UPDATE command c SET state = 'sending', attempts = c.attempts + 1, updated_at = :now, sent_at = :now,
                   claimed_by = :me
              FROM instance i
             WHERE i.id = c.instance_id
               AND c.id IN (SELECT q.id FROM command q JOIN instance qi ON qi.id = q.instance_id
                             WHERE q.state = 'queued' AND qi.status = 'online' AND q.expires_at > :now %s
                             ORDER BY q.created_at LIMIT :limit FOR UPDATE OF q SKIP LOCKED)
            RETURNING c.id, c.instance_id, c.batch_id, c.command, CAST(c.payload AS text) AS payload, c.created_at,
                      i.tags""";
    /**
     * Moves one command on from 'sending' (%s: the new state and error), returning what {@link #mark} needs. Only our
     * own claim: one released meanwhile (we were taken for gone) may be another replica's now.
     */
    private static final String MOVE_ON = """
            UPDATE command c SET %s, updated_at = :now FROM instance i
             WHERE i.id = c.instance_id AND c.id = :id AND c.state = 'sending' AND c.claimed_by = :me
            RETURNING c.id, c.batch_id, c.state, i.tags""";
    /** Moves commands in bulk (%s: the new state, then the condition), for the sweep. */
    private static final String SWEEP = """
            UPDATE command c SET %s, updated_at = :now FROM instance i
             WHERE i.id = c.instance_id AND %s
            RETURNING c.id, c.batch_id, c.command, i.tags""";

    private final ExecutorService executor;
    private final EntityManager em;
    private final BrokerConnection broker;
    private final Clock clock;
    private final CommandConfig config;
    private final ObjectMapper mapper;
    private final CommandMetrics metrics;
    private final CommandChanges changes;
    private final PeriodicJobs jobs;
    private final Replicas replicas;

    CommandDispatcher(EntityManager em, BrokerConnection broker, Clock clock, CommandConfig config, ObjectMapper mapper,
            CommandMetrics metrics, Threads threads, CommandChanges changes, PeriodicJobs jobs, Replicas replicas) {
        this.changes = changes;
        this.jobs = jobs;
        this.replicas = replicas;
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
    record Claimed(UUID id, UUID instanceId, String command, String payload, Instant createdAt,
            CommandChanges.Moved moved) {

        static Claimed of(Tuple row) {
            return new Claimed(row.get("id", UUID.class), row.get("instance_id", UUID.class),
                    row.get("command", String.class), row.get("payload", String.class),
                    Times.instant(row.get("created_at")), CommandChanges.Moved.of(row));
        }
    }

    void onStart(@Observes StartupEvent event) {
        jobs.register(SWEEP_JOB);
    }

    /**
     * Every {@link CommandConfig#sweepInterval()}: the expire/time-out/cancel/release part once per interval
     * fleet-wide, then this replica sends whatever can go (the safety net for missed wake-ups; the claims keep each
     * command to one replica).
     */
    @Scheduled(every = "${omnii.commands.sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledSweep() {
        claimAndExpireCancelRelease(now());
        dispatch(null);
    }

    /** Expires, times out, cancels and releases, then sends whatever can go, whoever swept last. */
    public void sweep() {
        expireCancelRelease(now());
        dispatch(null);
    }

    /** The claim and the moves in one transaction: a replica that dies half way leaves the interval unswept. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    void claimAndExpireCancelRelease(OffsetDateTime now) {
        if (jobs.claim(SWEEP_JOB, config.sweepInterval())) {
            moveOnExpiredAndStale(now);
        }
    }

    /** Its own transaction, committed before the sweep dispatches what is left. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    void expireCancelRelease(OffsetDateTime now) {
        moveOnExpiredAndStale(now);
    }

    private void moveOnExpiredAndStale(OffsetDateTime now) {
        int expired = count(CommandState.EXPIRED, sweep("state = 'expired'",
                "c.state = 'queued' AND c.expires_at <= :now", now, null));
        int timedOut = count(CommandState.TIMED_OUT, sweep("state = 'timed_out'", "c.state = 'sent'"
                + " AND c.command IN ('get_status', 'get_metrics') AND c.sent_at < :cutoff", now,
                now.minus(config.completionTimeout())));
        // Decommissioning cancels what is queued; this catches a command that was being sent at that moment and
        // came back to queued (its publish failed, or its claim went stale), which would otherwise wait out its
        // time to live.
        int cancelled = count(CommandState.CANCELLED, sweep("state = 'cancelled'",
                "i.status = 'decommissioned' AND c.state = 'queued'", now, null));
        // A claim is released when its replica is gone (by PostgreSQL's clock, as the registry judges it), or, as a
        // fallback for a live replica's stuck claim or one from before claims named their replica, after 60 s.
        int released = sweep("state = 'queued', sent_at = NULL, claimed_by = NULL", "c.state = 'sending'"
                + " AND (c.updated_at < :cutoff OR c.claimed_by NOT IN (" + replicas.liveIncarnationsSql() + "))", now, now.minusSeconds(STALE_CLAIM_SECONDS)).size();
        if (expired + timedOut + cancelled + released > 0) {
            Log.infof("Commands: %d expired, %d timed out, %d cancelled, %d released for another try", expired,
                    timedOut, cancelled, released);
        }
    }

    /** One set-based move of the sweep, announced to the console; the rows it moved. */
    @SuppressWarnings("unchecked")
    private List<Tuple> sweep(String set, String where, OffsetDateTime now, OffsetDateTime cutoff) {
        var query = em.createNativeQuery(SWEEP.formatted(set, where), Tuple.class).setParameter("now", now);
        if (cutoff != null) {
            query.setParameter("cutoff", cutoff);
        }
        List<Tuple> rows = query.getResultList();
        changes.announce(rows.stream().map(CommandChanges.Moved::of).toList());
        return rows;
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
                .setParameter("me", replicas.incarnation())
                .setParameter("limit", CLAIM_LIMIT);
        if (instanceIds != null) {
            if (instanceIds.isEmpty()) {
                return List.of();
            }
            query.setParameter("ids", instanceIds.toArray(UUID[]::new));
        }
        List<Claimed> claimed = ((List<Tuple>) query.getResultList()).stream().map(Claimed::of).toList();
        changes.announce(claimed.stream().map(Claimed::moved).toList());
        return claimed;
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
                if (mark(id, command, "state = 'sent'", null) && !command.expectsReply()) {
                    metrics.finished(command, CommandState.SENT, 1);
                }
            } else {
                Log.warnf("Command %s to %s not sent: %s", id, instanceId, failure.getMessage());
                mark(id, command, "state = CASE WHEN c.attempts >= " + config.maxAttempts()
                        + " THEN 'failed' ELSE 'queued' END, error = :error, sent_at = NULL, claimed_by = NULL",
                        failure.getMessage());
            }
        }, executor);
    }

    /** Moves a command on from 'sending'; whether it was still there to move. Counts it if it failed for good. */
    private boolean mark(UUID id, CommandName command, String set, String error) {
        List<Tuple> moved = moveOn(id, set, error);
        if (moved.stream().anyMatch(r -> CommandState.FAILED.wire().equals(r.get("state", String.class)))) {
            metrics.finished(command, CommandState.FAILED, 1);
        }
        return !moved.isEmpty();
    }

    /** The command as moved, if it was still 'sending'; one transaction per command, as PUBACKs come. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    @SuppressWarnings("unchecked")
    List<Tuple> moveOn(UUID id, String set, String error) {
        var query = em.createNativeQuery(MOVE_ON.formatted(set), Tuple.class).setParameter("now", now())
                .setParameter("id", id).setParameter("me", replicas.incarnation());
        if (error != null) {
            query.setParameter("error", error.length() > 500 ? error.substring(0, 500) : error);
        }
        List<Tuple> moved = query.getResultList();
        changes.announce(moved.stream().map(CommandChanges.Moved::of).toList());
        return moved;
    }

    /** Counts commands that reached a final state, from the rows an UPDATE ... RETURNING gave back. */
    private int count(CommandState state, List<Tuple> rows) {
        rows.forEach(r -> metrics.finished(CommandName.fromWire(r.get("command", String.class)).orElseThrow(), state, 1));
        return rows.size();
    }

    private OffsetDateTime now() {
        return Times.utc(clock.instant());
    }
}
