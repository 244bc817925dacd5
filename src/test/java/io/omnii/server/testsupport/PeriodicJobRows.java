package io.omnii.server.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.LongSupplier;

/**
 * A scheduled singleton's claim on its interval, as its tests check it: a job whose interval is over is due again on
 * the next replica's tick, as if the interval had passed.
 */
public final class PeriodicJobRows {

    private PeriodicJobRows() {
    }

    /**
     * Proves that {@code tick} (a replica's scheduler firing) does the job's work once per interval, whichever replica
     * ticks: {@code work} leaves something for the job to do, and {@code undone} counts what is left of it.
     */
    public static void assertRunsOncePerInterval(Database db, String job, Runnable work, Runnable tick,
            LongSupplier undone) {
        db.execute("DELETE FROM periodic_job WHERE name = '" + job + "'");
        work.run();
        tick.run();
        assertThat(undone.getAsLong()).as("done by the first tick").isZero();

        work.run();
        tick.run(); // another replica's tick within the interval
        assertThat(undone.getAsLong()).as("left by a second tick within the interval").isPositive();

        db.execute("UPDATE periodic_job SET ran_at = '-infinity' WHERE name = '" + job + "'"); // the interval is over
        tick.run();
        assertThat(undone.getAsLong()).as("done by the first tick of the next interval").isZero();
        assertThat(db.count("SELECT runs FROM periodic_job WHERE name = '" + job + "'")).isEqualTo(2);
    }
}
