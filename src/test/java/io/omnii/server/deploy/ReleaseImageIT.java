package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the release's JVM image is built from: after {@code ./mvnw package} (the release workflow's step before the
 * image build), every path Dockerfile.jvm copies is there, and the jar it runs is the fast-jar's launcher. Breaks if
 * the packaging changes (an uber-jar, another layout) without the Dockerfile.
 */
class ReleaseImageIT {

    private static final Path DOCKERFILE = Path.of("src", "main", "docker", "Dockerfile.jvm");
    // COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/
    private static final Pattern COPY = Pattern.compile("COPY (?:--\\S+ )*(\\S+) (\\S+)");

    @Test
    void thePackageStepProducesEverythingTheJvmImageCopies() throws IOException {
        List<String> sources = Files.readAllLines(DOCKERFILE).stream().map(COPY::matcher).filter(Matcher::matches)
                .map(m -> m.group(1)).toList();

        assertThat(sources).isNotEmpty();
        for (String source : sources) {
            if (source.contains("*")) {
                Path dir = Path.of(source).getParent();
                try (var found = Files.newDirectoryStream(dir, Path.of(source).getFileName().toString())) {
                    assertThat(found.iterator().hasNext()).as(source).isTrue();
                }
            } else {
                assertThat(Path.of(source)).as(source).exists();
            }
        }
        String launcher = Files.readAllLines(DOCKERFILE).stream().filter(l -> l.startsWith("ENV JAVA_APP_JAR="))
                .findFirst().orElseThrow().replaceAll("ENV JAVA_APP_JAR=\"?/deployments/([^\"]+)\"?", "$1");
        assertThat(Path.of("target", "quarkus-app", launcher)).exists();
    }
}
