package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** k8s/: what `kubectl apply -k k8s/` applies, and that Flux's release of the chart renders as intended. */
class FluxManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode read(String file) throws IOException {
        return YAML.readTree(Files.readString(K8S.resolve(file)));
    }

    @Test
    void theKustomizationListsEveryManifestInTheSharedNamespace() throws IOException {
        JsonNode kustomization = read("kustomization.yaml");
        assertThat(kustomization.path("namespace").asText()).isEqualTo("home-automation");
        List<String> resources = YAML.convertValue(kustomization.path("resources"),
                YAML.getTypeFactory().constructCollectionType(List.class, String.class));
        assertThat(resources).containsExactlyInAnyOrder("namespace.yaml", "repository.yaml", "release.yaml");
        resources.forEach(r -> assertThat(K8S.resolve(r)).exists());
        assertThat(read("namespace.yaml").at("/metadata/name").asText()).isEqualTo("home-automation");
    }

    @Test
    void theHelmReleaseUsesFluxV2AndTheChartInThisRepository() throws IOException {
        JsonNode release = read("release.yaml");
        JsonNode source = read("repository.yaml");
        assertThat(release.path("apiVersion").asText()).isEqualTo("helm.toolkit.fluxcd.io/v2");
        assertThat(source.path("apiVersion").asText()).isEqualTo("source.toolkit.fluxcd.io/v1");
        assertThat(release.at("/spec/chart/spec/chart").asText()).isEqualTo("./charts/omnii-server");
        assertThat(release.at("/spec/chart/spec/sourceRef/kind").asText()).isEqualTo(source.path("kind").asText());
        assertThat(release.at("/spec/chart/spec/sourceRef/name").asText())
                .isEqualTo(source.at("/metadata/name").asText());
    }

    @Test
    void theReleaseValuesRenderTheServerBesideTheMatterServer() throws IOException {
        Path values = Files.createTempFile("release-values", ".yaml");
        YAML.writeValue(values.toFile(), read("release.yaml").at("/spec/values"));
        List<JsonNode> objects = Chart.render(values);
        JsonNode pod = Chart.one(objects, "Deployment").at("/spec/template/spec");
        assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
        assertThat(pod.path("dnsPolicy").asText()).isEqualTo("ClusterFirstWithHostNet");
        assertThat(pod.at("/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/0/topologyKey")
                .asText()).isEqualTo("kubernetes.io/hostname");
        assertThat(Chart.one(objects, "StatefulSet").at("/spec/volumeClaimTemplates/0/spec/storageClassName").asText())
                .isEqualTo("longhorn");
        assertThat(Chart.ofKind(objects, "PrometheusRule")).hasSize(1);
    }
}
