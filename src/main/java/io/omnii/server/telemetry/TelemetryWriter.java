package io.omnii.server.telemetry;

import io.omnii.server.command.CommandDispatcher;
import io.omnii.server.command.CommandMetrics;
import io.omnii.server.command.CommandState;
import io.omnii.server.common.Backoff;
import io.omnii.server.common.Threads;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One thread that drains the queue of received messages into batches and writes each batch in one transaction:
 * whatever accumulated while the previous batch was written goes into the next, so batches grow with the load. A
 * batch that is not full waits up to {@code omnii.telemetry.batch-linger} from its first message's arrival for more,
 * so a quiet fleet's messages share transactions too (see {@link #fill}). Messages are acknowledged to the broker
 * after the commit, in arrival order.
 *
 * <p>The queue is bounded ({@code omnii.telemetry.queue-capacity}). When it is full, {@link #submit} waits on the
 * thread that delivered the message, which is the MQTT client's: the client stops reading its socket, the broker
 * stops sending, and what the fleet publishes meanwhile stays queued at the broker, unacknowledged, until there is
 * room. Nothing is dropped and memory stays bounded however far the database falls behind.
 *
 * <p>A batch that fails is retried in halves, down to the messages that fail alone (see {@link #write}); while the
 * database does not answer, the writer waits and retries, acknowledging nothing, so nothing is lost.
 */
@Singleton
public class TelemetryWriter {

    /** Longest wait between two looks at a database that does not answer: ingest resumes this soon after it does. */
    private static final Duration OUTAGE_RETRY_CEILING = Duration.ofSeconds(5);
    private static final long FULL_POLL_MS = 100;
    /**
     * A batch this size pays its transaction's fixed cost (a commit, a WAL flush, a handful of statements) a 64th
     * each: the writer stops lingering there. At 5,000 messages/s that is about 13 ms instead of the whole linger.
     */
    static final int LINGER_ENOUGH = 64;

    private final BlockingQueue<Pending> queue;
    private final TelemetryStore store;
    private final TelemetryConfig config;
    private final IngestMetrics metrics;
    private final CommandDispatcher dispatcher;
    private final CommandMetrics commandMetrics;
    private final Threads threads;
    private volatile boolean stopping;
    private Thread thread;

    TelemetryWriter(TelemetryStore store, TelemetryConfig config, IngestMetrics metrics, CommandDispatcher dispatcher,
            CommandMetrics commandMetrics, Threads threads) {
        this.queue = new LinkedBlockingQueue<>(config.queueCapacity());
        this.store = store;
        this.config = config;
        this.metrics = metrics;
        this.dispatcher = dispatcher;
        this.commandMetrics = commandMetrics;
        this.threads = threads;
    }

    void start(@Observes StartupEvent event) {
        thread = threads.start(Threads.Name.TELEMETRY_WRITER, this::run);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        stopping = true;
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }

    /**
     * Queues a received message for the writer, waiting while the queue is full. A message not queued because the
     * server is stopping (or the MQTT client gave up on its connection) is never acknowledged, so the broker
     * delivers it again.
     */
    void submit(Pending pending) {
        metrics.received(pending.parsed().kind());
        if (queue.offer(pending)) {
            return;
        }
        metrics.queueFull();
        try {
            while (!queue.offer(pending, FULL_POLL_MS, TimeUnit.MILLISECONDS)) {
                if (stopping) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Messages received and waiting for the writer (the batch being written is not counted). */
    public int backlog() {
        return queue.size();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(config.batchSize());
        long linger = config.batchLinger().toNanos();
        while (!stopping) {
            try {
                batch.add(queue.take());
                fill(queue, batch, config.batchSize(), batch.get(0).arrivalNanos() + linger);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                Log.errorf(e, "Telemetry writer failed; continuing");
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Adds to the batch what has arrived and, while it holds fewer than {@link #LINGER_ENOUGH}, what arrives until
     * {@code deadline} (the first message's arrival plus {@code omnii.telemetry.batch-linger}): a quiet fleet's
     * messages share a transaction instead of paying one each. A batch that already shares its transaction that many
     * ways goes at once (waiting for more would buy latency for little CPU), and so does a full one; at full load the
     * linger is spent while the previous batch is written, so nothing waits for it.
     */
    static void fill(BlockingQueue<Pending> queue, List<Pending> batch, int batchSize, long deadline)
            throws InterruptedException {
        queue.drainTo(batch, batchSize - batch.size());
        int enough = Math.min(batchSize, LINGER_ENOUGH);
        while (batch.size() < enough) {
            long left = deadline - System.nanoTime();
            Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                return;
            }
            batch.add(next);
            queue.drainTo(batch, batchSize - batch.size());
        }
    }

    /**
     * Writes a batch in one transaction. If the database refuses it while it answers, the batch is written as two
     * halves, recursively: k messages it refuses among n cost O(k log n) transactions, where one by one cost n. A
     * message refused alone is dropped ({@code database_error}) and acknowledged, since it would fail forever. The
     * others commit exactly once, in their halves, acknowledged in arrival order. While the database does not
     * answer, the writer waits and retries the whole batch, acknowledging nothing.
     */
    void write(List<Pending> batch) throws InterruptedException {
        write(batch, true);
    }

    private void write(List<Pending> batch, boolean whole) throws InterruptedException {
        String failure;
        try {
            finish(batch, store.write(batch));
            return;
        } catch (Exception e) {
            metrics.batchFailed();
            failure = e.getMessage();
        }
        if (!store.reachable()) {
            Log.warnf("The database is unreachable; telemetry waits (%d queued)", queue.size());
            awaitDatabase();
            if (!stopping) {
                write(batch, whole);
            }
        } else if (batch.size() > 1) {
            if (whole) {
                Log.warnf("A batch of %d telemetry messages failed (%s); writing it in halves", batch.size(), failure);
            }
            int half = batch.size() / 2;
            write(batch.subList(0, half), false);
            write(batch.subList(half, batch.size()), false);
        } else {
            finish(batch, new TelemetryStore.Outcome(List.of(RejectReason.DATABASE_ERROR), Set.of(), Map.of()));
        }
    }

    /** Returns once the database answers again, or the writer stops (interrupted, or at the next look). */
    private void awaitDatabase() throws InterruptedException {
        Uni<Boolean> look = Uni.createFrom().item(() -> {
            if (!store.reachable()) {
                throw new IllegalStateException("the database does not answer");
            }
            return true;
        });
        try {
            Backoff.untilSuccess(look, OUTAGE_RETRY_CEILING, () -> stopping).await().indefinitely();
        } catch (RuntimeException e) {
            if (e.getCause() instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            if (!stopping) {
                throw e;
            }
            // Stopped while the database was away: the batch stays unacknowledged, for the broker to send again.
        }
    }

    private void finish(List<Pending> batch, TelemetryStore.Outcome outcome) {
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            RejectReason reason = outcome.results().get(i);
            if (reason == null) {
                metrics.accepted(p.parsed().report().kind(), p.arrivalNanos());
            } else {
                metrics.rejected(p.parsed().kind(), reason, p.parsed().detail() != null ? p.parsed().detail()
                        : reason == RejectReason.DATABASE_ERROR ? "the database refused it"
                        : "instance " + p.parsed().report().instanceId());
            }
            p.message().ack();
        }
        metrics.batch(batch.size());
        outcome.completed().forEach((command, n) -> commandMetrics.finished(command, CommandState.COMPLETED, n));
        if (!outcome.cameOnline().isEmpty()) {
            dispatcher.dispatchSoon(outcome.cameOnline());
        }
    }
}
