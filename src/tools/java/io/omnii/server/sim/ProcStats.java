package io.omnii.server.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** CPU time and memory of processes, from Linux's /proc. */
final class ProcStats {

    /** Clock ticks per second of /proc/PID/stat's times (USER_HZ): 100 on every Linux we run on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {
    }

    /** User plus system CPU seconds the processes have used so far (those that have exited count no more). */
    static double cpuSeconds(List<Long> pids) {
        double total = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
            } catch (IOException | RuntimeException gone) {
                // exited
            }
        }
        return total;
    }

    /** A field of /proc/PID/status in MiB (VmRSS: resident now; VmHWM: the peak). */
    static double memoryMiB(long pid, String field) {
        try (Stream<String> lines = Files.lines(Path.of("/proc", String.valueOf(pid), "status"))) {
            return lines.filter(l -> l.startsWith(field + ":")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024.0).orElse(0.0);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The process and all its descendants (PostgreSQL's postmaster and its backends). */
    static List<Long> tree(long pid) {
        return ProcessHandle.of(pid).map(h -> Stream.concat(Stream.of(h), h.descendants()).map(ProcessHandle::pid)
                .toList()).orElse(List.of());
    }

    /** Processes whose command line contains the text, e.g. a broker's configuration file. */
    static List<Long> withCommandLine(String text) {
        return ProcessHandle.allProcesses().filter(h -> h.info().commandLine().map(c -> c.contains(text)).orElse(false))
                .map(ProcessHandle::pid).toList();
    }

    static String firstLine(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.findFirst().orElse("").strip();
        } catch (IOException e) {
            return "";
        }
    }
}
