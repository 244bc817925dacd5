package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The tools (src/tools: the local stack, the simulator, the benchmark and what they share with the tests) as built by
 * {@code ./mvnw package}: they use no class of the test tree, and none of them ships with the server. Read from the
 * build's output, after package: target/tools-classes and target/quarkus-app.
 */
class ToolsLayoutIT {

    private static final Path TOOL_CLASSES = Path.of("target", "tools-classes");
    private static final Path TOOL_SOURCES = Path.of("src", "tools", "java");
    private static final Path TEST_SOURCES = Path.of("src", "test", "java");
    private static final Path QUARKUS_APP = Path.of("target", "quarkus-app");
    // jdeps -verbose:class: "   io.omnii.server.sim.Benchmark -> io.omnii.server.testsupport.Ports   tools-classes"
    private static final Pattern DEPENDENCY = Pattern.compile("\\s+(\\S+)\\s+->\\s+(io\\.omnii\\.\\S+).*");

    @Test
    void toolsUseNoClassOfTheTestTree() throws IOException {
        // A clean build proves it by compiling the tools before the tests; an incremental build would not notice.
        Set<String> testTree = topLevelClasses(TEST_SOURCES);
        List<String> offending = new ArrayList<>();
        for (String[] dependency : dependencies(TOOL_CLASSES)) {
            if (testTree.contains(dependency[1].replaceFirst("\\$.*", ""))) {
                offending.add(dependency[0] + " -> " + dependency[1]);
            }
        }

        assertThat(testTree).as("the test tree's classes").contains("io.omnii.server.testsupport.FakeInstance");
        assertThat(offending).as("tools that use a class of the test tree").isEmpty();
    }

    @Test
    void theShippedApplicationHoldsNoTool() throws IOException {
        Set<String> tools = topLevelClasses(TOOL_SOURCES).stream()
                .map(name -> name.replace('.', '/') + ".class").collect(Collectors.toCollection(TreeSet::new));
        List<String> shipped = new ArrayList<>();
        try (Stream<Path> files = Files.walk(QUARKUS_APP)) {
            for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).toList()) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    zip.stream().forEach(entry -> shipped.add(entry.getName()));
                }
            }
        }

        assertThat(shipped).as("what target/quarkus-app ships").contains("io/omnii/server/fleet/Instance.class");
        assertThat(tools).as("the tools").contains("io/omnii/server/sim/Benchmark.class");
        assertThat(shipped).as("tools in target/quarkus-app").doesNotContainAnyElementsOf(tools)
                .noneMatch(entry -> entry.startsWith("matter/") && entry.endsWith(".jsonl"));
    }

    /** The top-level classes a source tree defines, by file name. */
    private static Set<String> topLevelClasses(Path sources) throws IOException {
        try (Stream<Path> files = Files.walk(sources)) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .map(f -> sources.relativize(f).toString().replaceFirst("\\.java$", "").replace('/', '.'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** Every class-to-class dependency of the classes in a directory on an io.omnii class, by the JDK's jdeps. */
    private static List<String[]> dependencies(Path classes) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:class", "-filter:none",
                classes.toString());
        assertThat(status).as("jdeps: %s", err).isZero();
        List<String[]> dependencies = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = DEPENDENCY.matcher(line);
            if (m.matches()) {
                dependencies.add(new String[] {m.group(1), m.group(2)});
            }
        }
        assertThat(dependencies).as("jdeps' dependencies of %s", classes).isNotEmpty();
        return dependencies;
    }
}
