package io.omnii.server.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MosquittoServerTest {

    @TempDir
    Path dir;

    /**
     * The local run's broker must not get the terminal's Ctrl-C: stopped before the server, it showed the server a
     * lost broker on every clean stop. A process in another session is out of the terminal's reach.
     */
    @Test
    void localRunBrokerRunsInASessionOfItsOwn() throws Exception {
        try (MosquittoServer broker = MosquittoServer.startDetached(dir, Ports.free())) {
            long pid = broker.process().orElseThrow().pid();
            assertThat(session(pid)).isEqualTo(pid).isNotEqualTo(session(ProcessHandle.current().pid()));
        }
    }

    /** The session id of a process: field 6 of /proc/PID/stat, counted after the command name's closing ')'. */
    private static long session(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[3]);
    }
}
