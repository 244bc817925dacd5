package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's PrometheusRule, rendered and handed to promtool (Debian's prometheus package, installed by
 * scripts/test.sh): the rules must load, and every alert must fire and stay quiet where the rule tests under
 * src/test/resources/alerts say, on series shaped like what the chart's ServiceMonitor scrapes.
 */
class AlertRulesTest {

    private static final Path TESTS = Path.of("src", "test", "resources", "alerts");
    private static final Path WORK = Path.of("target", "alerts");
    // Unwrapped and unquoted where YAML allows, so promtool's messages and the files read like the chart's.
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.SPLIT_LINES).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build());
    /** The rule files the tests name: the default release (one replica) and one with three replicas. */
    private static final Map<String, Map<String, Object>> RULE_FILES = Map.of(
            "omnii-server.rules.yaml", Map.of(),
            "omnii-server-3-replicas.rules.yaml", Map.of("replicaCount", "3", "hostNetwork", "false",
                    "matter.url", "ws://matter-server:5580/ws"));

    @BeforeAll
    static void renderTheRules() throws IOException {
        Files.createDirectories(WORK);
        for (var file : RULE_FILES.entrySet()) {
            YAML.writeValue(WORK.resolve(file.getKey()).toFile(), rules(file.getValue()));
        }
        try (Stream<Path> tests = Files.list(TESTS)) {
            for (Path test : tests.toList()) {
                Files.copy(test, WORK.resolve(test.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** The rendered PrometheusRule's spec, which is a Prometheus rule file as it stands. */
    private static JsonNode rules(Map<String, Object> settings) {
        Map<String, Object> values = new HashMap<>(settings);
        values.put("prometheusRule.enabled", "true");
        // The tests' series carry service="omnii-server", the name the chart gives its Service here.
        values.put("fullnameOverride", "omnii-server");
        return Chart.one(Chart.render(values), "PrometheusRule").path("spec");
    }

    @Test
    void everyRuleLoads() throws Exception {
        List<String> command = new ArrayList<>(List.of("check", "rules"));
        RULE_FILES.keySet().forEach(f -> command.add(WORK.resolve(f).toString()));
        String output = promtool(command);
        assertThat(output).contains("SUCCESS");
    }

    @Test
    void everyAlertFiresAndStaysQuietWhereItsTestsSay() throws Exception {
        List<String> command = new ArrayList<>(List.of("test", "rules"));
        testFiles().forEach(f -> command.add(WORK.resolve(f.getFileName()).toString()));
        String output = promtool(command);
        assertThat(output).doesNotContain("FAILED");
    }

    @Test
    void everyAlertHasATestThatFiresItAndOneThatDoesNot() throws IOException {
        Set<String> alerts = new TreeSet<>();
        for (String file : RULE_FILES.keySet()) {
            YAML.readTree(WORK.resolve(file).toFile()).at("/groups").forEach(
                    group -> group.path("rules").forEach(rule -> alerts.add(rule.path("alert").asText())));
        }
        Set<String> firing = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (Path file : testFiles()) {
            YAML.readTree(file.toFile()).path("tests").forEach(test -> test.path("alert_rule_test").forEach(check -> {
                String alert = check.path("alertname").asText();
                (check.path("exp_alerts").isEmpty() ? quiet : firing).add(alert);
            }));
        }
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(9);
        assertThat(firing).as("alerts some test fires").containsAll(alerts);
        assertThat(quiet).as("alerts some test keeps quiet").containsAll(alerts);
        // promtool finds no alert of an unknown name, which an empty expectation would take for quiet.
        assertThat(alerts).as("every alert a test names exists").containsAll(firing).containsAll(quiet);
    }

    @Test
    void noAlertAddsUpAFleetWideGaugeOverReplicas() throws IOException {
        for (String file : RULE_FILES.keySet()) {
            for (JsonNode rule : YAML.readTree(WORK.resolve(file).toFile()).at("/groups/0/rules")) {
                String expr = rule.path("expr").asText();
                assertThat(FleetGauges.summedOverReplicas(expr)).as(rule.path("alert").asText()).isEmpty();
            }
        }
    }

    @Test
    void theFleetGaugeCheckCatchesASumOverReplicas() {
        assertThat(FleetGauges.summedOverReplicas("sum by (state) (omnii_instances{state!=\"x\"})"))
                .containsExactly("sum(omnii_instances)");
        assertThat(FleetGauges.summedOverReplicas("sum(omnii_matter_nodes) by (availability) > 0"))
                .containsExactly("sum(omnii_matter_nodes)");
        assertThat(FleetGauges.summedOverReplicas("sum(max by (state) (omnii_instances)) / max(omnii_instances)"))
                .isEmpty();
    }

    private static List<Path> testFiles() throws IOException {
        try (Stream<Path> files = Files.list(TESTS)) {
            return files.filter(f -> f.toString().endsWith(".test.yaml")).sorted().toList();
        }
    }

    /** Runs promtool in the work directory (the tests name their rule files relative to it) and returns its output. */
    private static String promtool(List<String> arguments) throws Exception {
        String promtool = Stream.of(System.getenv("PATH").split(File.pathSeparator)).map(d -> Path.of(d, "promtool"))
                .filter(Files::isExecutable).findFirst().map(Path::toString)
                .orElseThrow(() -> new AssertionError("promtool is not installed: it comes with Debian's prometheus "
                        + "package (apt-get install prometheus; scripts/test.sh installs it)"));
        List<String> command = new ArrayList<>(List.of(promtool));
        arguments.forEach(a -> command.add(a.startsWith(WORK.toString()) ? WORK.relativize(Path.of(a)).toString() : a));
        Process process = new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        assertThat(process.exitValue()).as("promtool " + String.join(" ", arguments) + "\n" + output).isZero();
        return output;
    }
}
