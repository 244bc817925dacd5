package io.omnii.server.common;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * Every thread and executor the server makes itself: named in {@link Name} (a thread dump says whose each is), made
 * here, and stopped here at shutdown, after their owners ({@link Lifecycle#STOP_THREADS}). Each is a single thread
 * because its work must run one piece at a time, in order. Work that needs no order of its own runs on Quarkus'
 * pools instead: retries wait on Mutiny's default executor ({@link Backoff}), periodic work on the scheduler.
 */
@Singleton
public class Threads {

    /** The server's own threads. */
    public enum Name {
        /** Hands the Matter Server's events to the listeners in the order it sent them (MatterClient). */
        MATTER_EVENTS("omnii-matter-events"),
        /** Claims and publishes queued commands off the caller's thread, one dispatch at a time (CommandDispatcher). */
        COMMAND_DISPATCHER("omnii-command-dispatcher"),
        /** Writes received telemetry in batches, one transaction at a time, in arrival order (TelemetryWriter). */
        TELEMETRY_WRITER("omnii-telemetry-writer"),
        /**
         * The MQTT client's one I/O thread (BrokerConnection): decodes, hands messages to the receivers (which may
         * block it when the writer's queue is full, so the client stops reading its socket) and writes the PUBACKs.
         */
        MQTT_IO("omnii-mqtt"),
        /** The one I/O thread of the connections adopting departed replicas' sessions, in turn (BrokerConnection). */
        MQTT_ADOPTED("omnii-mqtt-adopted"),
        /** Looks for departed replicas and drains their MQTT sessions, one at a time (SessionAdoption). */
        SESSION_ADOPTION("omnii-session-adoption"),
        /** Renews this replica's row and the leader lease, and tells the observers when leadership changes (Replicas). */
        REPLICAS("omnii-replicas"),
        /** Hears the other replicas' console changes on a PostgreSQL connection of its own (console/LiveRelay). */
        LIVE_LISTEN("omnii-live-listen"),
        /** Tells the other replicas of this one's console changes, off the event loop (console/LiveRelay). */
        LIVE_NOTIFY("omnii-live-notify");

        private final String threadName;

        Name(String threadName) {
            this.threadName = threadName;
        }

        public String threadName() {
            return threadName;
        }
    }

    private final List<ExecutorService> executors = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    /** An executor of one thread: its tasks run one at a time, in the order they were given. */
    public ExecutorService sequential(Name name) {
        ExecutorService executor = Executors.newSingleThreadExecutor(named(name.threadName()));
        executors.add(executor);
        return executor;
    }

    /** Starts a thread that runs {@code work}; its owner ends the work, and a thread still running is interrupted. */
    public Thread start(Name name, Runnable work) {
        Thread thread = named(name.threadName()).newThread(work);
        threads.add(thread);
        thread.start();
        return thread;
    }

    void stop(@Observes @Priority(Lifecycle.STOP_THREADS) ShutdownEvent event) {
        executors.forEach(ExecutorService::shutdownNow);
        threads.forEach(Thread::interrupt);
    }

    /** Named daemon threads: they never hold up the JVM's exit. */
    public static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
