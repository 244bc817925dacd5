package io.omnii.server.common;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The server's one retry policy: Mutiny's exponential backoff with jitter, from {@link #FIRST}, doubling, up to a
 * ceiling each caller names (its own configuration key where it has one). The Matter reconnect, the broker accounts'
 * start-up set-up and the telemetry writer's outage wait use it; the MQTT connection has its own for now.
 *
 * <p>The waits run on Mutiny's default executor, which Quarkus points at its worker pool: a retried attempt may block
 * (JDBC, the broker's control API), and no thread of ours sits idle between attempts.
 */
public final class Backoff {

    /** The first wait after a failure. */
    public static final Duration FIRST = Duration.ofSeconds(1);
    /**
     * Each wait moves by up to half its length (never below {@link #FIRST}, never above the ceiling): servers that
     * lost the same peer at the same moment do not all knock again at the same moment.
     */
    public static final double JITTER = 0.5;

    private Backoff() {
    }

    /**
     * Subscribes to {@code attempt} until it succeeds, waiting between failures as above; once {@code stopping} says
     * so, the next failure ends it. Call it anew for each retrying episode: the backoff counts every failure the
     * returned {@link Uni} has seen, so only a new one starts again from {@link #FIRST}.
     */
    public static <T> Uni<T> untilSuccess(Uni<T> attempt, Duration ceiling, BooleanSupplier stopping) {
        return attempt.onFailure(failure -> !stopping.getAsBoolean()).retry()
                .withBackOff(FIRST, ceiling).withJitter(JITTER).indefinitely();
    }
}
