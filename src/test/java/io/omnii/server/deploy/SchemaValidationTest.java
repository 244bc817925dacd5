package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rendered object, and everything a kustomization of k8s/ builds (the cluster's Flux objects, each path a Flux
 * Kustomization applies, and the home cluster with matterjs-server or with the chart from git), is valid
 * against the Kubernetes schemas (and the Prometheus operator's, Flux's and CloudNativePG's for their kinds), offline, through the npm
 * package kubernetes-models (src/test/k8s-schema, installed by scripts/test.sh).
 */
class SchemaValidationTest {

    private static final Path VALIDATOR = Path.of("src", "test", "k8s-schema");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Stream<Path> scenarios() throws IOException {
        return ChartTest.scenarios();
    }

    @Test
    void theDefaultRenderingIsValid() throws Exception {
        assertValid("defaults", Chart.renderDefaults());
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void everyScenarioRenderingIsValid(Path values) throws Exception {
        assertValid(values.getFileName().toString(), Chart.render(values));
    }

    static Stream<Path> kustomizations() throws IOException {
        Path variants = Path.of("target", "flux-variants");
        if (Files.exists(variants)) {
            try (Stream<Path> old = Files.walk(variants)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return Stream.concat(FluxManifestsTest.kustomizations(),
                Stream.of(FluxManifestsTest.matterjsVariant(variants.resolve("matterjs")),
                        FluxManifestsTest.chartFromGitVariant(variants.resolve("chart-from-git"))));
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void whatKubectlApplyKAppliesIsValid(Path dir) throws Exception {
        assertValid(dir.toString().replace('/', '-'), Kustomize.build(dir));
    }

    @Test
    void theChartAsFluxReleasesItIsValid() throws Exception {
        JsonNode release = Kustomize.one(Kustomize.build(FluxManifestsTest.OMNII_APP), "HelmRelease",
                "omnii-server");
        Path values = Files.createTempFile("release-values", ".yaml");
        YAML.writeValue(values.toFile(), release.at("/spec/values"));
        assertValid("flux-release", Chart.render(values));
    }

    @Test
    void theValidatorCatchesAnInvalidObject() throws Exception {
        JsonNode deployment = Chart.one(Chart.renderDefaults(), "StatefulSet", "server").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) deployment.at("/spec/template/spec/containers/0/ports/0"))
                .put("containerPort", "three thousand and one");
        assertThat(validate("broken", List.of(deployment))).contains("containerPort");
    }

    /** The CloudNativePG Cluster is checked against its CRD's schema, not merely accepted as an unknown kind. */
    @Test
    void theValidatorCatchesAnInvalidCloudNativePgCluster() throws Exception {
        JsonNode cluster = Chart.one(Chart.render(Chart.DIR.resolve("ci/cnpg-values.yaml")), "Cluster").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) cluster.path("spec")).put("instances", "three");
        ((com.fasterxml.jackson.databind.node.ObjectNode) cluster.at("/spec/bootstrap/initdb")).putArray("owner");
        assertThat(validate("broken-cluster", List.of(cluster))).contains("/spec/instances must be integer",
                "/spec/bootstrap/initdb/owner must be string");

        // A misspelt field, which the API server would prune without a word, is refused too (validate.mjs).
        JsonNode misspelt = Chart.one(Chart.render(Chart.DIR.resolve("ci/cnpg-values.yaml")), "Cluster").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) misspelt.at("/spec/storage")).put("storageClassName", "x");
        assertThat(validate("misspelt-cluster", List.of(misspelt)))
                .contains("unknown fields /spec/storage/storageClassName").endsWith("0 valid, 1 invalid");
    }

    private static void assertValid(String name, List<JsonNode> objects) throws Exception {
        String output = validate(name, objects);
        assertThat(output).as(output).endsWith(objects.size() + " valid, 0 invalid");
    }

    private static String validate(String name, List<JsonNode> objects) throws Exception {
        assertThat(VALIDATOR.resolve("node_modules")).as("the schema packages: npm ci --prefix " + VALIDATOR
                + " (scripts/test.sh does this)").isDirectory();
        Path file = Files.createDirectories(Path.of("target", "schema-check")).resolve(name + ".json");
        JSON.writeValue(file.toFile(), objects);
        Process node = new ProcessBuilder("node", VALIDATOR.resolve("validate.mjs").toString(), file.toString())
                .redirectErrorStream(true).start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return output;
    }
}
