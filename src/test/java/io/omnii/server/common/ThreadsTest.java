package io.omnii.server.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The server's own threads are the ones {@link Threads.Name} lists. */
@QuarkusTest
class ThreadsTest {

    @Test
    void everyThreadOfTheServerHasItsNameInThreads() {
        Set<String> listed = Arrays.stream(Threads.Name.values()).map(Threads.Name::threadName)
                .collect(Collectors.toSet());
        Set<String> running = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("omnii-")).collect(Collectors.toSet());
        // The executors' threads start with their first task; the writer's at start-up.
        assertThat(running).contains(Threads.Name.TELEMETRY_WRITER.threadName(), Threads.Name.MQTT_IO.threadName());
        assertThat(running).allSatisfy(name -> assertThat(listed).as(name).contains(name));
    }
}
