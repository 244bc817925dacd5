package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's scale-out mode: several replicas on pod networking, spread over nodes, guarded by a disruption budget
 * and optionally sized by an autoscaler, beside the home mode (one replica on the node's network) that stays the
 * default. Rendered objects are schema-checked by SchemaValidationTest through the ci/ scenarios used here.
 */
class ChartScaleOutTest {

    private static final Path CI = Chart.DIR.resolve("ci");
    private static final String MATTER_SERVICE = "ws://matter-server.home-automation.svc.cluster.local:5580/ws";
    /** The least a scale-out rendering needs: pod networking and a Matter Server that is not localhost. */
    private static final Map<String, String> POD_NETWORK = Map.of("hostNetwork", "false", "dnsPolicy", "ClusterFirst",
            "matter.url", MATTER_SERVICE);

    @Test
    void theHomeModeStaysTheDefaultWithNothingOfTheScaleOutMode() {
        List<JsonNode> objects = Chart.renderDefaults();
        JsonNode server = Chart.one(objects, "StatefulSet", "server");
        JsonNode pod = server.at("/spec/template/spec");
        assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
        assertThat(server.at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(pod.has("topologySpreadConstraints")).isFalse();
        assertThat(pod.has("affinity")).isFalse();
        assertThat(env(server)).containsEntry("OMNII_MATTER_URL", "ws://localhost:5580/ws")
                .doesNotContainKeys("OMNII_REPLICAS_LEASE", "OMNII_REPLICAS_HEARTBEAT_INTERVAL");
        assertThat(Chart.ofKind(objects, "PodDisruptionBudget")).isEmpty();
        assertThat(Chart.ofKind(objects, "HorizontalPodAutoscaler")).isEmpty();
    }

    @Test
    void severalReplicasOnTheNodesNetworkAreRefused() {
        Chart.assertRefused(Map.of("replicaCount", "2"), "replicaCount 2 needs hostNetwork=false",
                "host ports 3001 and 9000 on a node of its own", "matter.url to the Matter Server's Service");
        Chart.assertRefused(Map.of("autoscaling.enabled", "true"), "autoscaling.enabled needs hostNetwork=false");
    }

    @Test
    void offTheNodesNetworkALocalhostMatterServerIsRefused() {
        for (String url : List.of("ws://localhost:5580/ws", "ws://127.0.0.1:5580/ws", "wss://[::1]:5580/ws")) {
            Chart.assertRefused(Map.of("hostNetwork", "false", "matter.url", url), "matter.url " + url
                    + " reaches nothing with hostNetwork=false", "the Matter Server's Service");
        }
        // Off, or a Service or node address: rendered.
        assertThat(env(server(Chart.render(Map.of("hostNetwork", "false", "matter.url", "")))))
                .doesNotContainKey("OMNII_MATTER_URL");
        assertThat(env(server(Chart.render(Map.of("hostNetwork", "false", "matter.url", "ws://localhost.example:5580/ws")))))
                .containsEntry("OMNII_MATTER_URL", "ws://localhost.example:5580/ws");
    }

    @Test
    void scaleOutReplicasSpreadOverNodesAndZonesAndReachTheMatterServerThroughItsService() {
        List<JsonNode> objects = Chart.render(CI.resolve("scale-out-values.yaml"));
        JsonNode server = server(objects);
        JsonNode pod = server.at("/spec/template/spec");
        assertThat(server.at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(pod.path("hostNetwork").asBoolean()).isFalse();
        assertThat(pod.path("dnsPolicy").asText()).isEqualTo("ClusterFirst");
        assertThat(pod.at("/containers/0/ports").findValues("hostPort")).isEmpty();

        JsonNode labels = server.at("/spec/template/metadata/labels");
        JsonNode spread = pod.path("topologySpreadConstraints");
        assertThat(spread).hasSize(2);
        Map<String, String> whenUnsatisfiable = new HashMap<>();
        for (JsonNode constraint : spread) {
            assertThat(constraint.path("maxSkew").asInt()).isEqualTo(1);
            assertSelects(constraint.at("/labelSelector/matchLabels"), labels);
            whenUnsatisfiable.put(constraint.path("topologyKey").asText(), constraint.path("whenUnsatisfiable").asText());
        }
        assertThat(whenUnsatisfiable).containsExactlyInAnyOrderEntriesOf(Map.of(
                "kubernetes.io/hostname", "DoNotSchedule", "topology.kubernetes.io/zone", "ScheduleAnyway"));

        JsonNode preferred = pod.at("/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution");
        assertThat(preferred).hasSize(1);
        assertThat(preferred.at("/0/podAffinityTerm/topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
        assertSelects(preferred.at("/0/podAffinityTerm/labelSelector/matchLabels"), labels);
        assertThat(pod.at("/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution").isMissingNode())
                .isTrue();

        Map<String, String> env = env(server);
        assertThat(env).containsEntry("OMNII_MATTER_URL", MATTER_SERVICE)
                .containsEntry("OMNII_REPLICAS_LEASE", "6s").containsEntry("OMNII_REPLICAS_HEARTBEAT_INTERVAL", "1s");
        // Each replica its own MQTT identity: its pod name.
        JsonNode clientId = Chart.env(server).get("OMNII_MQTT_CLIENT_ID");
        assertThat(clientId.at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.name");

        // The Service balances the API over every replica; the alert expects all three.
        JsonNode service = Chart.ofKind(objects, "Service").stream()
                .filter(s -> s.at("/metadata/name").asText().equals(server.at("/metadata/name").asText()))
                .findFirst().orElseThrow();
        assertThat(service.at("/spec/clusterIP").asText()).isNotEqualTo("None");
        assertSelects(service.at("/spec/selector"), labels);
        assertThat(Chart.one(objects, "PrometheusRule").toString()).contains("OmniiServerReplicasMissing", "< 3");
        assertThat(Chart.one(objects, "PodDisruptionBudget").at("/spec/maxUnavailable").asInt()).isEqualTo(1);
    }

    @Test
    void theSpreadIsAsTheValuesSay() {
        Map<String, String> hard = new LinkedHashMap<>(POD_NETWORK);
        hard.putAll(Map.of("replicaCount", "2", "spread.podAntiAffinity", "hard", "spread.nodes", ""));
        JsonNode pod = server(Chart.render(hard)).at("/spec/template/spec");
        assertThat(pod.at("/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/0/topologyKey")
                .asText()).isEqualTo("kubernetes.io/hostname");
        assertThat(pod.has("topologySpreadConstraints")).isFalse();

        Map<String, String> none = new LinkedHashMap<>(POD_NETWORK);
        none.putAll(Map.of("replicaCount", "2", "spread.podAntiAffinity", "none"));
        assertThat(server(Chart.render(none)).at("/spec/template/spec").has("affinity")).isFalse();

        // An anti-affinity of the values' own replaces the chart's; the rest of the values' affinity joins it.
        Map<String, String> own = new LinkedHashMap<>(POD_NETWORK);
        own.putAll(Map.of("replicaCount", "2",
                "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey",
                "topology.kubernetes.io/zone"));
        JsonNode antiAffinity = server(Chart.render(own)).at("/spec/template/spec/affinity/podAntiAffinity");
        assertThat(antiAffinity.has("preferredDuringSchedulingIgnoredDuringExecution")).isFalse();
        assertThat(antiAffinity.at("/requiredDuringSchedulingIgnoredDuringExecution/0/topologyKey").asText())
                .isEqualTo("topology.kubernetes.io/zone");

        // One replica off the node's network spreads nothing: there is nothing to spread.
        JsonNode single = server(Chart.render(CI.resolve("no-host-network-values.yaml"))).at("/spec/template/spec");
        assertThat(single.has("topologySpreadConstraints")).isFalse();
        assertThat(single.has("affinity")).isFalse();
    }

    @Test
    void underTheAutoscalerTheStatefulSetLeavesItsReplicasToIt() {
        List<JsonNode> objects = Chart.render(CI.resolve("autoscaling-values.yaml"));
        JsonNode server = server(objects);
        assertThat(server.at("/spec/replicas").isMissingNode()).as("the autoscaler owns replicas").isTrue();
        JsonNode hpa = Chart.one(objects, "HorizontalPodAutoscaler");
        assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("StatefulSet");
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(server.at("/metadata/name").asText());
        assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(2);
        assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(5);
        assertThat(hpa.at("/spec/metrics/0/resource/name").asText()).isEqualTo("cpu");
        assertThat(hpa.at("/spec/metrics/0/resource/target/averageUtilization").asInt()).isEqualTo(75);
        assertThat(hpa.at("/spec/behavior/scaleDown/stabilizationWindowSeconds").asInt()).isEqualTo(600);
        // The budget counts on the autoscaler's minimum, and the pods stay one per node (hard anti-affinity).
        assertThat(Chart.one(objects, "PodDisruptionBudget").at("/spec/maxUnavailable").asInt()).isEqualTo(1);
        assertThat(server.at("/spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution"))
                .hasSize(1);
        assertThat(env(server)).containsEntry("OMNII_MATTER_URL", "ws://192.168.10.20:5580/ws");

        // With the autoscaler's minimum at 1, one pod may be all there is: no budget.
        assertThat(Chart.ofKind(Chart.render(t -> t.withValuesFile(CI.resolve("autoscaling-values.yaml"))
                .set("autoscaling.minReplicas", "1")), "PodDisruptionBudget")).isEmpty();
    }

    @Test
    void aLeaseShorterThanTwoHeartbeatsIsRefusedAsTheServerWouldRefuseIt() {
        Chart.assertRefused(Map.of("replicas.lease", "3s"), "replicas.lease (3s) must be at least twice "
                + "replicas.heartbeatInterval (2s)");
        Chart.assertRefused(Map.of("replicas.lease", "1500ms", "replicas.heartbeatInterval", "1s"),
                "replicas.lease (1500ms)");
        Chart.assertRefused(Map.of("replicas.heartbeatInterval", "6s"), "replicas.lease (10s)");
        Chart.render(Map.of("replicas.lease", "2s", "replicas.heartbeatInterval", "1000ms"));
    }

    @Test
    void autoscalerBoundsThatCannotHoldAreRefused() {
        Map<String, String> autoscaling = new LinkedHashMap<>(POD_NETWORK);
        autoscaling.put("autoscaling.enabled", "true");

        Map<String, String> zero = new LinkedHashMap<>(autoscaling);
        zero.put("autoscaling.minReplicas", "0");
        Chart.assertRefused(zero, "minReplicas");

        Map<String, String> inverted = new LinkedHashMap<>(autoscaling);
        inverted.putAll(Map.of("autoscaling.minReplicas", "4", "autoscaling.maxReplicas", "3"));
        Chart.assertRefused(inverted, "autoscaling.maxReplicas 3 is below autoscaling.minReplicas 4");

        Map<String, String> noCpuRequest = new LinkedHashMap<>(autoscaling);
        noCpuRequest.put("resources.requests.cpu", "null");
        Chart.assertRefused(noCpuRequest, "autoscaling.enabled needs resources.requests.cpu");
    }

    @Test
    void aDisruptionBudgetThatWouldLetADrainTakeEveryReplicaIsRefused() {
        Map<String, String> all = new LinkedHashMap<>(POD_NETWORK);
        all.putAll(Map.of("replicaCount", "2", "podDisruptionBudget.maxUnavailable", "2"));
        Chart.assertRefused(all, "podDisruptionBudget.maxUnavailable 2 lets a drain take all 2 replicas at once",
                "below replicaCount");

        Map<String, String> autoscaled = new LinkedHashMap<>(POD_NETWORK);
        autoscaled.putAll(Map.of("autoscaling.enabled", "true", "autoscaling.minReplicas", "3",
                "podDisruptionBudget.maxUnavailable", "3"));
        Chart.assertRefused(autoscaled, "all 3 replicas", "below autoscaling.minReplicas");

        // Without a budget there is nothing to fit.
        all.put("podDisruptionBudget.enabled", "false");
        assertThat(Chart.ofKind(Chart.render(all), "PodDisruptionBudget")).isEmpty();
    }

    @Test
    void everyReplicaOnTheMatterServersNodeAndOnePerNodeCannotBothHold() {
        Map<String, String> settings = new LinkedHashMap<>(POD_NETWORK);
        settings.putAll(Map.of("replicaCount", "2", "spread.podAntiAffinity", "hard",
                "matterServerAffinity.enabled", "true"));
        Chart.assertRefused(settings, "spread.podAntiAffinity hard and matterServerAffinity.enabled");
    }

    @Test
    void typosInTheScaleOutValuesAreRefused() {
        Chart.assertRefused(Map.of("autoscaling.maxReplica", "3"), "maxReplica");
        Chart.assertRefused(Map.of("spread.podAntiAffinity", "preferred"), "podAntiAffinity");
        Chart.assertRefused(Map.of("spread.nodes", "Always"), "nodes");
        Chart.assertRefused(Map.of("replicas.lease", "ten seconds"), "lease");
    }

    private static JsonNode server(List<JsonNode> objects) {
        return Chart.one(objects, "StatefulSet", "server");
    }

    private static Map<String, String> env(JsonNode server) {
        Map<String, String> env = new HashMap<>();
        Chart.env(server).forEach((name, variable) -> env.put(name, variable.path("value").asText(null)));
        return env;
    }

    private static void assertSelects(JsonNode matchLabels, JsonNode labels) {
        assertThat(matchLabels.size()).isPositive();
        matchLabels.fields().forEachRemaining(e -> assertThat(labels.path(e.getKey()).asText())
                .as(e.getKey()).isEqualTo(e.getValue().asText()));
    }
}
