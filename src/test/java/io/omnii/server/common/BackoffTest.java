package io.omnii.server.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The server's one retry policy, on its own: waits, ceiling and stop. */
class BackoffTest {

    private static final Duration SLACK = Duration.ofMillis(400);

    /** An attempt that fails its first {@code failures} times, noting when each attempt started. */
    private static Uni<String> failing(int failures, List<Long> starts) {
        return Uni.createFrom().item(() -> {
            starts.add(System.nanoTime());
            if (starts.size() <= failures) {
                throw new IllegalStateException("attempt " + starts.size());
            }
            return "done";
        });
    }

    private static Duration gap(List<Long> starts, int i) {
        return Duration.ofNanos(starts.get(i + 1) - starts.get(i));
    }

    @Test
    void aFailedAttemptIsRetriedAfterTheFirstWaitAndJitterUntilItSucceeds() {
        List<Long> starts = new CopyOnWriteArrayList<>();
        String result = Backoff.untilSuccess(failing(1, starts), Duration.ofSeconds(30), () -> false)
                .await().atMost(Duration.ofSeconds(10));
        assertThat(result).isEqualTo("done");
        assertThat(starts).hasSize(2);
        assertThat(gap(starts, 0)).isBetween(Backoff.FIRST,
                Duration.ofMillis((long) (Backoff.FIRST.toMillis() * (1 + Backoff.JITTER))).plus(SLACK));
    }

    @Test
    void noWaitIsLongerThanTheCeiling() {
        List<Long> starts = new CopyOnWriteArrayList<>();
        Backoff.untilSuccess(failing(2, starts), Backoff.FIRST, () -> false).await().atMost(Duration.ofSeconds(10));
        assertThat(starts).hasSize(3);
        // Doubled and jittered, the second wait would be 1 to 3 s: the ceiling holds it to the first's.
        assertThat(gap(starts, 1)).isBetween(Backoff.FIRST, Backoff.FIRST.plus(SLACK));
    }

    @Test
    void onceStoppingTheNextFailureEndsTheRetries() {
        List<Long> starts = new CopyOnWriteArrayList<>();
        AtomicBoolean stopping = new AtomicBoolean();
        Uni<String> attempt = failing(Integer.MAX_VALUE, starts).onFailure()
                .invoke(() -> stopping.set(starts.size() == 2));
        assertThatThrownBy(() -> Backoff.untilSuccess(attempt, Duration.ofSeconds(30), stopping::get)
                .await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(IllegalStateException.class).hasMessage("attempt 2");
        assertThat(starts).hasSize(2);
    }
}
