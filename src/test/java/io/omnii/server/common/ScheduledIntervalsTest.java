package io.omnii.server.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/**
 * A configurable {@code @Scheduled} interval names its key alone ({@code ${key}}): its default lives once, in the
 * key's {@code @ConfigMapping}, which the running configuration must then resolve (the scheduler refuses to start
 * on a key it cannot).
 */
@QuarkusTest
class ScheduledIntervalsTest {

    private static final Path CLASSES = Path.of("target", "classes");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}]*)}");

    @Inject
    Config config;

    @Test
    void everyScheduledIntervalTakesItsDefaultFromItsConfigMapping() throws Exception {
        List<String> keys = new ArrayList<>();
        for (Class<?> type : serverClasses()) {
            for (Method method : type.getDeclaredMethods()) {
                for (Scheduled scheduled : method.getAnnotationsByType(Scheduled.class)) {
                    for (String value : List.of(scheduled.every(), scheduled.delayed(), scheduled.cron())) {
                        Matcher expression = EXPRESSION.matcher(value);
                        if (expression.matches()) {
                            keys.add(expression.group(1));
                        }
                    }
                }
            }
        }
        assertThat(keys).contains("omnii.commands.sweep-interval", "omnii.metrics.instances-refresh-interval",
                "omnii.mqtt.provisioning.reconcile-interval", "omnii.telemetry.presence-sweep-interval",
                "omnii.audit.purge-interval");
        assertThat(keys).allSatisfy(key -> {
            assertThat(key).as("a default written in the schedule").doesNotContain(":");
            assertThat(config.getOptionalValue(key, String.class)).as(key).isPresent();
        });
    }

    private static List<Class<?>> serverClasses() throws IOException, ClassNotFoundException {
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(CLASSES.resolve("io/omnii/server"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = CLASSES.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                classes.add(Class.forName(name, false, ScheduledIntervalsTest.class.getClassLoader()));
            }
        }
        return classes;
    }
}
