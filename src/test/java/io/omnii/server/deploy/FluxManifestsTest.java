package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k8s/: what `kubectl apply -k k8s/` applies (the Matter Server and Omnii Server beside it, both through Flux), that
 * settings/settings.yaml reaches both releases, that Flux's release of our chart renders as intended, and that the
 * matterjs overlay changes the Matter Server's image and nothing else. The Matter Server's chart cannot be fetched
 * here, so its settings are asserted on the HelmRelease values.
 */
class FluxManifestsTest {

    static final Path K8S = Path.of("k8s");
    static final Path MATTERJS = K8S.resolve("overlays/matterjs");
    private static final String NAMESPACE = "home-automation";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode matterServer(List<JsonNode> objects) {
        return Kustomize.one(objects, "HelmRelease", "matter-server");
    }

    private static JsonNode omniiServer(List<JsonNode> objects) {
        return Kustomize.one(objects, "HelmRelease", "omnii-server");
    }

    /** Our chart as Flux installs it: rendered with the HelmRelease's values. */
    private static List<JsonNode> renderChart(JsonNode release) throws IOException {
        Path values = Files.createTempFile("release-values", ".yaml");
        YAML.writeValue(values.toFile(), release.at("/spec/values"));
        return Chart.render(values);
    }

    @Test
    void kubectlApplyKAppliesBothReleasesTheirSourcesAndTheNamespace() throws Exception {
        List<JsonNode> objects = Kustomize.build(K8S);
        assertThat(objects).extracting(o -> o.path("kind").asText() + "/" + o.at("/metadata/name").asText())
                .containsExactlyInAnyOrder("Namespace/home-automation", "HelmRepository/matter-server",
                        "HelmRelease/matter-server", "GitRepository/omnii-server", "HelmRelease/omnii-server");
        objects.stream().filter(o -> !o.path("kind").asText().equals("Namespace"))
                .forEach(o -> assertThat(o.at("/metadata/namespace").asText()).isEqualTo(NAMESPACE));
    }

    @Test
    void theNamespaceAdmitsThePrivilegedMatterServer() throws Exception {
        JsonNode namespace = Kustomize.one(Kustomize.build(K8S), "Namespace", NAMESPACE);
        assertThat(namespace.at("/metadata/labels/pod-security.kubernetes.io~1enforce").asText())
                .isEqualTo("privileged");
    }

    @Test
    void bothReleasesUseFluxV2AndSourcesThatAreAppliedWithThem() throws Exception {
        List<JsonNode> objects = Kustomize.build(K8S);
        for (JsonNode release : List.of(matterServer(objects), omniiServer(objects))) {
            assertThat(release.path("apiVersion").asText()).isEqualTo("helm.toolkit.fluxcd.io/v2");
            JsonNode ref = release.at("/spec/chart/spec/sourceRef");
            assertThat(ref.path("namespace").asText()).isEqualTo(NAMESPACE);
            JsonNode source = Kustomize.one(objects, ref.path("kind").asText(), ref.path("name").asText());
            assertThat(source.path("apiVersion").asText()).isEqualTo("source.toolkit.fluxcd.io/v1");
        }
        assertThat(omniiServer(objects).at("/spec/chart/spec/chart").asText()).isEqualTo("./charts/omnii-server");
        assertThat(omniiServer(objects).at("/spec/chart/spec/sourceRef/kind").asText()).isEqualTo("GitRepository");
        JsonNode matterChart = matterServer(objects).at("/spec/chart/spec");
        assertThat(matterChart.path("chart").asText()).isEqualTo("home-assistant-matter-server");
        assertThat(matterChart.path("version").asText()).isEqualTo("3.0.0");
        assertThat(matterChart.at("/sourceRef/kind").asText()).isEqualTo("HelmRepository");
    }

    @Test
    void theMatterServerRunsAsTheGuideDescribes() throws Exception {
        JsonNode values = matterServer(Kustomize.build(K8S)).at("/spec/values");
        assertThat(values.path("networkInterface").asText()).isEqualTo("enp3s0f0");
        assertThat(values.at("/bluetoothCommissioning/enabled").isBoolean()).isTrue();
        assertThat(values.at("/bluetoothCommissioning/enabled").asBoolean()).isTrue();
        assertThat(values.at("/persistence/storageClassName").asText()).isEqualTo("longhorn");
        assertThat(values.at("/persistence/size").asText()).isEqualTo("5Gi");
        assertThat(values.path("hostNetwork").asBoolean()).isTrue();
        assertThat(values.path("dnsPolicy").asText()).isEqualTo("ClusterFirstWithHostNet");
        assertThat(values.at("/securityContext/privileged").asBoolean()).isTrue();
        assertThat(values.at("/securityContext/capabilities/add")).extracting(JsonNode::asText)
                .containsExactly("NET_ADMIN", "NET_RAW", "SYS_ADMIN");
        // python-matter-server 8.0.0: the chart's own image at the guide's version.
        assertThat(values.at("/image/repository").isMissingNode()).isTrue();
        assertThat(values.at("/image/tag").asText()).isEqualTo("8.0.0");
        assertThat(values.path("nameOverride").asText()).isEqualTo("matter-server");
        assertThat(values.at("/service/port").asInt()).isEqualTo(5580);
        assertThat(values.at("/nodeSelector/kubernetes.io~1hostname").asText()).isEqualTo("mac-mini");
    }

    @Test
    void omniiServerRunsBesideTheMatterServerOnItsNode() throws Exception {
        List<JsonNode> objects = Kustomize.build(K8S);
        JsonNode matter = matterServer(objects);
        JsonNode release = omniiServer(objects);
        assertThat(release.at("/spec/dependsOn")).hasSize(1);
        assertThat(release.at("/spec/dependsOn/0/name").asText()).isEqualTo(matter.at("/metadata/name").asText());
        assertThat(release.at("/metadata/namespace").asText()).isEqualTo(matter.at("/metadata/namespace").asText());

        List<JsonNode> rendered = renderChart(release);
        JsonNode pod = Chart.one(rendered, "StatefulSet", "server").at("/spec/template/spec");
        assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
        assertThat(pod.path("dnsPolicy").asText()).isEqualTo("ClusterFirstWithHostNet");
        assertThat(pod.at("/nodeSelector/kubernetes.io~1hostname").asText())
                .isEqualTo(matter.at("/spec/values/nodeSelector/kubernetes.io~1hostname").asText());
        JsonNode affinity = pod.at("/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/0");
        assertThat(affinity.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
        // The Matter Server chart labels its pods app.kubernetes.io/name=<nameOverride>.
        assertThat(YAML.convertValue(affinity.at("/labelSelector/matchLabels"), Map.class))
                .isEqualTo(Map.of("app.kubernetes.io/name", matter.at("/spec/values/nameOverride").asText()));
        assertThat(pod.at("/containers/0/env")).filteredOn(e -> e.path("name").asText().equals("OMNII_MATTER_URL"))
                .extracting(e -> e.path("value").asText()).containsExactly("ws://localhost:5580/ws");

        JsonNode claim = Chart.one(rendered, "StatefulSet", "database").at("/spec/volumeClaimTemplates/0/spec");
        assertThat(claim.path("storageClassName").asText()).isEqualTo("longhorn");
        assertThat(claim.at("/resources/requests/storage").asText()).isEqualTo("5Gi");
        assertThat(Chart.ofKind(rendered, "PrometheusRule")).hasSize(1);
    }

    @Test
    void theHomesReachTheBundledBrokerThroughALoadBalancerAtTheSettingsAddress() throws Exception {
        List<JsonNode> rendered = renderChart(omniiServer(Kustomize.build(K8S)));
        JsonNode claim = Chart.one(rendered, "StatefulSet", "broker").at("/spec/volumeClaimTemplates/0/spec");
        assertThat(claim.path("storageClassName").asText()).isEqualTo("longhorn");
        assertThat(claim.at("/resources/requests/storage").asText()).isEqualTo("1Gi");
        assertThat(Chart.ofKind(rendered, "Service")).filteredOn(s -> s.at("/spec/type").asText().equals("LoadBalancer"))
                .extracting(s -> s.at("/metadata/labels/app.kubernetes.io~1component").asText())
                .containsExactly("broker");
        JsonNode env = Chart.one(rendered, "StatefulSet", "server").at("/spec/template/spec/containers/0/env");
        assertThat(env).filteredOn(e -> e.path("name").asText().equals("OMNII_MQTT_INSTANCE_BROKER_URL"))
                .extracting(e -> e.path("value").asText()).containsExactly("mqtt://mqtt.example.com:1883");
        assertThat(env).filteredOn(e -> e.path("name").asText().equals("OMNII_MQTT_PROVISIONING_MODE"))
                .extracting(e -> e.path("value").asText()).containsExactly("mosquitto-dynsec");
    }

    @Test
    void everySettingReachesTheReleasesThatUseIt(@TempDir Path copy) throws Exception {
        copyTree(K8S, copy);
        Path settingsFile = copy.resolve("settings/settings.yaml");
        ObjectNode settings = (ObjectNode) YAML.readTree(settingsFile.toFile());
        ((ObjectNode) settings.path("spec")).put("node", "rpi-5").put("networkInterface", "eth1")
                .put("bluetooth", false).put("storageClassName", "local-path")
                .put("matterServerVolumeSize", "2Gi").put("databaseVolumeSize", "8Gi")
                .put("brokerVolumeSize", "3Gi").put("brokerUrl", "mqtts://broker.example.org:8883");
        YAML.writeValue(settingsFile.toFile(), settings);

        for (Path dir : List.of(copy, copy.resolve("overlays/matterjs"))) {
            List<JsonNode> objects = Kustomize.build(dir);
            JsonNode matter = matterServer(objects).at("/spec/values");
            assertThat(matter.path("networkInterface").asText()).isEqualTo("eth1");
            // A boolean, not the string "false", which the chart's `if` would take for true.
            assertThat(matter.at("/bluetoothCommissioning/enabled").isBoolean()).isTrue();
            assertThat(matter.at("/bluetoothCommissioning/enabled").asBoolean()).isFalse();
            assertThat(matter.at("/nodeSelector/kubernetes.io~1hostname").asText()).isEqualTo("rpi-5");
            assertThat(matter.at("/persistence/storageClassName").asText()).isEqualTo("local-path");
            assertThat(matter.at("/persistence/size").asText()).isEqualTo("2Gi");

            List<JsonNode> rendered = renderChart(omniiServer(objects));
            assertThat(Chart.one(rendered, "StatefulSet", "server")
                    .at("/spec/template/spec/nodeSelector/kubernetes.io~1hostname").asText()).isEqualTo("rpi-5");
            JsonNode claim = Chart.one(rendered, "StatefulSet", "database").at("/spec/volumeClaimTemplates/0/spec");
            assertThat(claim.path("storageClassName").asText()).isEqualTo("local-path");
            assertThat(claim.at("/resources/requests/storage").asText()).isEqualTo("8Gi");
            JsonNode brokerClaim = Chart.one(rendered, "StatefulSet", "broker").at("/spec/volumeClaimTemplates/0/spec");
            assertThat(brokerClaim.path("storageClassName").asText()).isEqualTo("local-path");
            assertThat(brokerClaim.at("/resources/requests/storage").asText()).isEqualTo("3Gi");
            assertThat(Chart.one(rendered, "StatefulSet", "server").at("/spec/template/spec/containers/0/env"))
                    .filteredOn(e -> e.path("name").asText().equals("OMNII_MQTT_INSTANCE_BROKER_URL"))
                    .extracting(e -> e.path("value").asText()).containsExactly("mqtts://broker.example.org:8883");

            // No copy of an old value hides anywhere else.
            assertThat(YAML.writeValueAsString(objects)).doesNotContain("mac-mini", "enp3s0f0", "longhorn", "5Gi",
                    "1Gi", "mqtt.example.com");
        }
    }

    @Test
    void theMatterjsOverlaySwitchesTheMatterServerImageAndGivesItsFirstStartTime() throws Exception {
        List<JsonNode> base = Kustomize.build(K8S);
        List<JsonNode> matterjs = Kustomize.build(MATTERJS);
        JsonNode release = matterServer(matterjs);
        assertThat(release.at("/spec/values/image/repository").asText()).isEqualTo("ghcr.io/matter-js/matterjs-server");
        assertThat(release.at("/spec/values/image/tag").asText()).isEqualTo("1.4.1");
        assertThat(release.at("/spec/timeout").asText()).isEqualTo("15m");
        assertThat(release.at("/spec/values/livenessProbe/initialDelaySeconds").asInt()).isEqualTo(300);

        // Everything else, settings included, is the base's.
        for (List<JsonNode> objects : List.of(base, matterjs)) {
            JsonNode matter = matterServer(objects);
            ((ObjectNode) matter.path("spec")).remove("timeout");
            ((ObjectNode) matter.at("/spec/values")).remove(List.of("image", "livenessProbe"));
        }
        assertThat(matterjs).containsExactlyInAnyOrderElementsOf(base);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
