package io.omnii.server.fleet;

import io.omnii.server.replica.PeriodicJobs;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import java.time.Clock;

/** Turns instances offline that sent no heartbeat within the presence timeout, recording why. */
@ApplicationScoped
public class PresenceSweep {

    /** Its name in periodic_job and omnii_periodic_job_runs_total. */
    static final String JOB = "presence-sweep";

    private final InstanceWriter writer;
    private final Clock clock;
    private final PresenceConfig config;
    private final PeriodicJobs jobs;

    PresenceSweep(InstanceWriter writer, Clock clock, PresenceConfig config, PeriodicJobs jobs) {
        this.writer = writer;
        this.clock = clock;
        this.config = config;
        this.jobs = jobs;
    }

    void onStart(@Observes StartupEvent event) {
        jobs.register(JOB);
    }

    /**
     * Once per interval fleet-wide: the claim and the sweep are one transaction, so a replica that dies half way
     * turns nobody offline and the next replica's tick sweeps it all. The interval's default is PresenceConfig's.
     */
    @Scheduled(every = "${omnii.telemetry.presence-sweep-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void scheduled() {
        if (jobs.claim(JOB, config.presenceSweepInterval())) {
            sweep();
        }
    }

    /** Returns how many instances turned offline. */
    @Transactional
    public int sweep() {
        int gone = writer.timeOut(clock.instant(), config.presenceTimeout());
        if (gone > 0) {
            Log.infof("%d instance(s) offline: no heartbeat for %s", gone, config.presenceTimeout());
        }
        return gone;
    }
}
