package io.omnii.server.fleet;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;

/** Turns instances offline that sent no heartbeat within the presence timeout, recording why. */
@ApplicationScoped
public class PresenceSweep {

    private final InstanceWriter writer;
    private final Clock clock;
    private final PresenceConfig config;

    PresenceSweep(InstanceWriter writer, Clock clock, PresenceConfig config) {
        this.writer = writer;
        this.clock = clock;
        this.config = config;
    }

    // The interval's default is PresenceConfig's.
    @Scheduled(every = "${omnii.telemetry.presence-sweep-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        sweep();
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
