package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the chart must never silently change, checked on the rendered objects. */
class ChartTest {

    static Stream<Path> scenarios() throws IOException {
        return Files.list(Chart.DIR.resolve("ci")).filter(p -> p.toString().endsWith(".yaml")).sorted();
    }

    @Test
    void theChartPassesStrictLint() {
        LintResult lint = new Helm(Chart.DIR).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void everyScenarioRendersLabelledObjects(Path values) {
        List<JsonNode> objects = Chart.render(values);
        assertThat(objects).isNotEmpty().allSatisfy(o -> {
            assertThat(o.path("apiVersion").asText()).isNotEmpty();
            assertThat(o.at("/metadata/name").asText()).isNotEmpty();
            assertThat(o.at("/metadata/labels/app.kubernetes.io~1managed-by").asText()).isEqualTo("Helm");
            assertThat(o.at("/metadata/labels/app.kubernetes.io~1part-of").asText()).isEqualTo("omnii");
        });
        assertThat(Chart.ofKind(objects, "Deployment")).hasSize(1);
    }

    @Test
    void byDefaultTheServerRunsOnTheHostNetworkBesideTheMatterServer() {
        JsonNode pod = Chart.one(Chart.renderDefaults(), "Deployment").at("/spec/template/spec");
        assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
        assertThat(pod.path("dnsPolicy").asText()).isEqualTo("ClusterFirstWithHostNet");
    }

    @Test
    void portsAndProbesAreTheApiAndManagementPorts() {
        JsonNode container = Chart.one(Chart.renderDefaults(), "Deployment").at("/spec/template/spec/containers/0");
        assertThat(container.path("ports").findValuesAsText("name")).containsExactly("api", "management");
        assertThat(container.path("ports").findValues("containerPort")).extracting(JsonNode::asInt)
                .containsExactly(3001, 9000);
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(container.at("/" + probe + "/httpGet/port").asText()).as(probe).isEqualTo("management");
        }
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
    }

    @Test
    void theMatterServerIsReachedOnLocalhostAndItsAlertFollowsTheSetting() {
        JsonNode env = Chart.one(Chart.renderDefaults(), "Deployment").at("/spec/template/spec/containers/0/env");
        assertThat(env.findValues("name").stream().map(JsonNode::asText)).contains("OMNII_MATTER_URL");
        assertThat(env.toString()).contains("ws://localhost:5580/ws");
        List<JsonNode> off = Chart.render(Map.of("matter.url", "", "prometheusRule.enabled", "true"));
        assertThat(Chart.one(off, "Deployment").toString()).doesNotContain("OMNII_MATTER_URL");
        assertThat(Chart.one(off, "PrometheusRule").at("/spec/groups/0/rules").findValuesAsText("alert"))
                .doesNotContain("OmniiMatterServerDisconnected");
    }

    @Test
    void theServerRunsWithoutAnyPrivilege() {
        JsonNode pod = Chart.one(Chart.renderDefaults(), "Deployment").at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0/securityContext");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(container.path("privileged").asBoolean(false)).isFalse();
        assertThat(container.at("/capabilities/drop").findValuesAsText("")).isEmpty();
        assertThat(container.at("/capabilities/drop/0").asText()).isEqualTo("ALL");
        assertThat(container.at("/capabilities/add").isMissingNode()).isTrue();
    }

    @Test
    void theBundledDatabaseKeepsItsDataOnLonghorn() {
        JsonNode claim = Chart.one(Chart.renderDefaults(), "StatefulSet").at("/spec/volumeClaimTemplates/0/spec");
        assertThat(claim.path("storageClassName").asText()).isEqualTo("longhorn");
        assertThat(claim.at("/resources/requests/storage").asText()).isEqualTo("5Gi");
    }

    @Test
    void secretsComeFromSecretsNeverFromPlainValues() {
        List<JsonNode> objects = Chart.render(Chart.DIR.resolve("ci/no-host-network-values.yaml"));
        String token = "a-fixed-token-for-this-scenario-only";
        String password = "a-fixed-password-for-this-scenario";
        for (JsonNode o : objects) {
            if (!"Secret".equals(o.path("kind").asText())) {
                assertThat(o.toString()).as(o.path("kind").asText()).doesNotContain(token).doesNotContain(password);
            }
        }
        JsonNode env = Chart.one(objects, "Deployment").at("/spec/template/spec/containers/0/env");
        for (JsonNode var : env) {
            String name = var.path("name").asText();
            if (name.contains("TOKEN") || name.contains("PASSWORD")) {
                assertThat(var.has("value")).as(name).isFalse();
                assertThat(var.at("/valueFrom/secretKeyRef/name").asText()).as(name).isNotEmpty();
            }
        }
    }

    @Test
    void monitoringObjectsAppearOnlyWhenAsked() {
        assertThat(Chart.ofKind(Chart.renderDefaults(), "ServiceMonitor")).isEmpty();
        assertThat(Chart.ofKind(Chart.renderDefaults(), "PrometheusRule")).isEmpty();
        List<JsonNode> monitored = Chart.render(Chart.DIR.resolve("ci/monitoring-values.yaml"));
        assertThat(Chart.one(monitored, "ServiceMonitor").at("/spec/endpoints/0/port").asText()).isEqualTo("management");
        assertThat(Chart.one(monitored, "PrometheusRule").at("/spec/groups/0/rules").findValuesAsText("alert"))
                .contains("OmniiServerDown", "OmniiMqttDisconnected", "OmniiMatterServerDisconnected",
                        "OmniiMatterNodesUnavailable", "OmniiMatterCommissioningFailing", "OmniiManyInstancesOffline",
                        "OmniiCommandTimeouts", "OmniiEnrollmentFailureSpike");
        Chart.one(monitored, "PrometheusRule").at("/spec/groups/0/rules").forEach(rule -> {
            assertThat(rule.at("/labels/severity").asText()).isIn("critical", "warning");
            assertThat(rule.at("/annotations/summary").asText()).isNotBlank();
            assertThat(rule.at("/annotations/description").asText()).isNotBlank();
        });
        JsonNode dashboard = Chart.ofKind(monitored, "ConfigMap").stream()
                .filter(c -> "1".equals(c.at("/metadata/labels/grafana_dashboard").asText())).findFirst().orElseThrow();
        assertThat(dashboard.at("/data/omnii-fleet.json").asText()).contains("omnii_instances", "omnii_matter_nodes",
                "omnii_matter_commissioning_total");
    }

    /**
     * Every key in values.yaml has a "# --" comment, except inside a block documented as a whole (a security
     * context, resources): there either every child of a block is documented, or none is and the block is.
     */
    @Test
    void everyValueIsDocumented() throws IOException {
        List<String> lines = Files.readAllLines(Chart.DIR.resolve("values.yaml"));
        record Key(int line, int indent, boolean documented, int parent) {
        }
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^( *)[A-Za-z][\\w.-]*:").matcher(lines.get(i));
            if (!m.find()) {
                continue;
            }
            int indent = m.group(1).length();
            boolean documented = false;
            for (int j = i - 1; j >= 0 && lines.get(j).strip().startsWith("#"); j--) {
                documented |= lines.get(j).strip().startsWith("# --");
            }
            int parent = -1;
            for (int k = keys.size() - 1; k >= 0; k--) {
                if (keys.get(k).indent() < indent) {
                    parent = k;
                    break;
                }
            }
            keys.add(new Key(i + 1, indent, documented, parent));
        }
        for (int k = 0; k < keys.size(); k++) {
            Key key = keys.get(k);
            if (key.documented()) {
                continue;
            }
            int parentIndex = key.parent();
            boolean siblingsDocumented = false;
            for (Key other : keys) {
                siblingsDocumented |= other.parent() == parentIndex && other.documented();
            }
            boolean enclosedByDocumentedBlock = false;
            for (int a = parentIndex; a >= 0; a = keys.get(a).parent()) {
                enclosedByDocumentedBlock |= keys.get(a).documented();
            }
            assertThat(parentIndex >= 0 && !siblingsDocumented && enclosedByDocumentedBlock)
                    .as("values.yaml line " + key.line() + " needs a '# --' comment: " + lines.get(key.line() - 1))
                    .isTrue();
        }
    }

    @Test
    void aTypoInTheValuesIsRefused() {
        assertThatThrownBy(() -> Chart.render(Map.of("hostNetwrk", "true"))).hasMessageContaining("hostNetwrk");
        assertThatThrownBy(() -> Chart.render(Map.of("postgresql.persistence.sise", "1Gi")))
                .hasMessageContaining("sise");
    }
}
