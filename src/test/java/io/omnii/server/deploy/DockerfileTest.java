package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnii.server.testsupport.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the JVM image's environment hands its base image's run-java.sh, read from the Dockerfile (no image is built on
 * our machines): the options the benchmark measured, with the base image's own defaults kept from undoing them.
 */
class DockerfileTest {

    private static final Path DOCKERFILE = Path.of("src", "main", "docker", "Dockerfile.jvm");

    @Test
    void theJvmImageRunsWithTheMeasuredOptions() throws IOException {
        Map<String, String> env = env();
        List<String> options = new ArrayList<>(List.of(env.get("GC_CONTAINER_OPTIONS").split(" ")));
        options.addAll(List.of(env.get("JAVA_OPTS_APPEND").split(" ")));
        assertThat(options).containsAll(ServerProcess.DEFAULT_JVM_OPTIONS)
                .contains("-Djava.util.logging.manager=org.jboss.logmanager.LogManager")
                // Named once, where run-java.sh takes it: the JVM refuses two collectors.
                .filteredOn(o -> o.matches("-XX:\\+Use\\w+GC")).hasSize(1);
        // The JVM's own ratios, as measured; the base image's 10 and 20 make the serial collector run more often.
        assertThat(env).containsEntry("GC_MIN_HEAP_FREE_RATIO", "40").containsEntry("GC_MAX_HEAP_FREE_RATIO", "70");
    }

    private static Map<String, String> env() throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        Pattern line = Pattern.compile("ENV (\\w+)=\"?(.*?)\"?");
        for (String l : Files.readAllLines(DOCKERFILE)) {
            Matcher m = line.matcher(l);
            if (m.matches()) {
                env.put(m.group(1), m.group(2));
            }
        }
        return env;
    }
}
