package io.omnii.server.common;

import java.util.concurrent.ThreadFactory;

/** Our own background threads: named, so a thread dump says whose they are, and daemons, so they never hold up exit. */
public final class Threads {

    private Threads() {
    }

    public static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
