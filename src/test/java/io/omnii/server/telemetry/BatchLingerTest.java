package io.omnii.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How the writer fills a batch: what arrives within the linger joins it; a full batch does not wait. */
class BatchLingerTest {

    private static final long LINGER = TimeUnit.MILLISECONDS.toNanos(300);

    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Pending> batch = new ArrayList<>();

    private static Pending arrived(long nanos) {
        return new Pending(null, null, Instant.EPOCH, nanos);
    }

    @Test
    void messagesArrivingWithinTheLingerJoinTheBatch() throws Exception {
        Pending first = arrived(System.nanoTime());
        batch.add(first);
        Thread later = new Thread(() -> {
            try {
                for (int i = 0; i < 3; i++) {
                    Thread.sleep(20);
                    queue.add(arrived(System.nanoTime()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        later.start();
        TelemetryWriter.fill(queue, batch, 500, first.arrivalNanos() + LINGER);
        later.join();

        assertThat(batch).hasSize(4);
        // It waited out the linger for more before giving up.
        assertThat(System.nanoTime() - first.arrivalNanos()).isGreaterThanOrEqualTo(LINGER);
    }

    @Test
    void aFullBatchGoesAtOnce() throws Exception {
        long start = System.nanoTime();
        batch.add(arrived(start));
        for (int i = 0; i < 10; i++) {
            queue.add(arrived(start));
        }
        TelemetryWriter.fill(queue, batch, 5, start + TimeUnit.SECONDS.toNanos(30));

        assertThat(batch).hasSize(5);
        assertThat(queue).hasSize(6);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void aBatchThatAlreadySharesItsTransactionEnoughWaysGoesWithoutLingering() throws Exception {
        long start = System.nanoTime();
        batch.add(arrived(start));
        for (int i = 1; i < TelemetryWriter.LINGER_ENOUGH; i++) {
            queue.add(arrived(start));
        }
        TelemetryWriter.fill(queue, batch, 500, start + TimeUnit.SECONDS.toNanos(30));

        assertThat(batch).hasSize(TelemetryWriter.LINGER_ENOUGH);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void theLingerCountsFromTheFirstMessagesArrival() throws Exception {
        // Under load the first message waited in the queue while the previous batch was written: no more waiting.
        long arrival = System.nanoTime() - TimeUnit.SECONDS.toNanos(1);
        batch.add(arrived(arrival));
        queue.add(arrived(arrival));
        long start = System.nanoTime();
        TelemetryWriter.fill(queue, batch, 500, arrival + LINGER);

        assertThat(batch).hasSize(2);
        assertThat(System.nanoTime() - start).isLessThan(LINGER);
    }
}
