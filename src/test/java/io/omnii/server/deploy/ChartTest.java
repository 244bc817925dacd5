package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.omnii.server.testsupport.MosquittoServer;
import io.omnii.server.testsupport.Ports;
import io.omnii.server.testsupport.ServerProcess;
import io.omnii.server.testsupport.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
        assertThat(Chart.ofKind(objects, "Deployment")).isEmpty();
        server(objects);
    }

    @Test
    void theServerIsAStatefulSetSoEachReplicaKeepsItsNameAndMqttClientId() {
        List<JsonNode> objects = Chart.renderDefaults();
        JsonNode server = server(objects);
        assertThat(server.at("/metadata/name").asText()).isEqualTo("omnii-omnii-server");
        assertThat(server.at("/spec/podManagementPolicy").asText()).isEqualTo("Parallel");
        // Delete before create, per ordinal: safe with host networking, unlike a Deployment's surge.
        assertThat(server.at("/spec/updateStrategy/type").asText()).isEqualTo("RollingUpdate");
        assertThat(server.at("/spec/strategy").isMissingNode()).isTrue();
        assertThat(serverEnv(objects).get("OMNII_MQTT_CLIENT_ID").at("/valueFrom/fieldRef/fieldPath").asText())
                .isEqualTo("metadata.name");

        JsonNode headless = service(objects, server.at("/spec/serviceName").asText());
        assertThat(headless.at("/metadata/name").asText()).isEqualTo("omnii-omnii-server-headless");
        assertThat(headless.at("/spec/clusterIP").asText()).isEqualTo("None");
        assertThat(headless.at("/spec/publishNotReadyAddresses").asBoolean()).isTrue();
        JsonNode service = service(objects, "omnii-omnii-server");
        assertThat(headless.at("/spec/selector")).isEqualTo(service.at("/spec/selector"));
        assertThat(selects(server.at("/spec/selector"), server.at("/spec/template/metadata/labels"))).isTrue();
        assertThat(selects(JsonNodeFactory.instance.objectNode().set("matchLabels", headless.at("/spec/selector")),
                server.at("/spec/template/metadata/labels"))).isTrue();
        assertThat(headless.at("/spec/ports")).isEqualTo(service.at("/spec/ports"));
    }

    @Test
    void theServerAsksForItsSessionExpiryAndTheBrokerExpiresAbandonedSessions() {
        List<JsonNode> defaults = Chart.renderDefaults();
        assertThat(serverEnv(defaults).get("OMNII_MQTT_SESSION_EXPIRY").path("value").asText()).isEqualTo("1h");
        assertThat(brokerConfig(defaults)).contains("persistent_client_expiration 1d");
        List<JsonNode> set = Chart.render(Map.of("mqtt.sessionExpiry", "PT15M",
                "mosquitto.persistentClientExpiration", "2w"));
        assertThat(serverEnv(set).get("OMNII_MQTT_SESSION_EXPIRY").path("value").asText()).isEqualTo("PT15M");
        assertThat(brokerConfig(set)).contains("persistent_client_expiration 2w");
        // An external broker has no such setting of ours, but the server still asks for its expiry.
        assertThat(serverEnv(Chart.render(Map.of("mosquitto.enabled", "false", "mqtt.host", "broker",
                "mqtt.sessionExpiry", "90s"))).get("OMNII_MQTT_SESSION_EXPIRY").path("value").asText())
                .isEqualTo("90s");
    }

    @Test
    void aSessionExpiryTheBundledBrokerWouldCutShortIsRefused() {
        Chart.assertRefused(Map.of("mqtt.sessionExpiry", "25h"),
                "mqtt.sessionExpiry (25h) is longer than mosquitto.persistentClientExpiration (1d)");
        Chart.assertRefused(Map.of("mqtt.sessionExpiry", "2d", "mosquitto.persistentClientExpiration", "47h"),
                "which caps it");
        assertThat(serverEnv(Chart.render(Map.of("mqtt.sessionExpiry", "24h"))).get("OMNII_MQTT_SESSION_EXPIRY")
                .path("value").asText()).isEqualTo("24h");
        assertThat(serverEnv(Chart.render(Map.of("mqtt.sessionExpiry", "30d",
                "mosquitto.persistentClientExpiration", "1m"))).get("OMNII_MQTT_SESSION_EXPIRY")
                .path("value").asText()).isEqualTo("30d");
    }

    @Test
    void durationsNeitherTheServerNorMosquittoReadAreRefused() {
        for (String expiry : List.of("0s", "1 hour", "", "1w", "-5m", "PT0S")) {
            Chart.assertRefused(Map.of("mqtt.sessionExpiry", expiry), "sessionExpiry");
        }
        for (String expiration : List.of("7 days", "30s", "0d", "", "P7D")) {
            Chart.assertRefused(Map.of("mosquitto.persistentClientExpiration", expiration),
                    "persistentClientExpiration");
        }
    }

    @Test
    void theServiceMonitorScrapesTheServerThroughOneServiceNotTheHeadlessOneToo() {
        List<JsonNode> objects = Chart.render(Chart.DIR.resolve("ci/monitoring-values.yaml"));
        JsonNode selector = Chart.one(objects, "ServiceMonitor").at("/spec/selector");
        assertThat(Chart.ofKind(objects, "Service")).filteredOn(s -> selects(selector, s.at("/metadata/labels")))
                .extracting(s -> s.at("/metadata/name").asText()).containsExactly("omnii-omnii-server");
    }

    /** Whether a label selector (matchLabels, matchExpressions with Exists/DoesNotExist/In) selects these labels. */
    private static boolean selects(JsonNode selector, JsonNode labels) {
        for (var label : (Iterable<Map.Entry<String, JsonNode>>) selector.path("matchLabels")::fields) {
            if (!label.getValue().asText().equals(labels.path(label.getKey()).asText(null))) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            JsonNode value = labels.path(expression.path("key").asText());
            boolean ok = switch (expression.path("operator").asText()) {
                case "Exists" -> !value.isMissingNode();
                case "DoesNotExist" -> value.isMissingNode();
                case "In" -> {
                    boolean in = false;
                    for (JsonNode v : expression.path("values")) {
                        in |= v.asText().equals(value.asText(null));
                    }
                    yield in;
                }
                default -> throw new AssertionError("operator " + expression.path("operator"));
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Test
    void podTemplatesCarryNeitherTheChartNorTheAppVersionWhileObjectsDo() {
        for (JsonNode workload : workloads(Chart.render(Chart.DIR.resolve("ci/monitoring-values.yaml")))) {
            String what = workload.path("kind").asText() + " " + workload.at("/metadata/name").asText();
            assertThat(workload.at("/metadata/labels/helm.sh~1chart").asText()).as(what).startsWith("omnii-server-");
            assertThat(workload.at("/metadata/labels/app.kubernetes.io~1version").asText()).as(what).isNotEmpty();
            JsonNode labels = workload.at("/spec/template/metadata/labels");
            assertThat(labels.has("helm.sh/chart")).as(what).isFalse();
            assertThat(labels.has("app.kubernetes.io/version")).as(what).isFalse();
            assertThat(labels.path("app.kubernetes.io/part-of").asText()).as(what).isEqualTo("omnii");
        }
    }

    /** A new chart version with nothing else changed (a README edit, a commit under Flux) restarts no pod. */
    @Test
    void aNewChartVersionLeavesEveryPodTemplateAsItWas(@TempDir Path copy) throws IOException {
        Chart.copyTree(Chart.DIR, copy);
        Path chartYaml = copy.resolve("Chart.yaml");
        Files.writeString(chartYaml, Files.readString(chartYaml).replaceFirst("(?m)^version: .*$",
                "version: 0.1.1+sha.3ae81fc"));
        Files.writeString(copy.resolve("README.md"), "\nA line more.\n", StandardOpenOption.APPEND);
        List<JsonNode> before = workloads(Chart.renderDefaults());
        List<JsonNode> after = workloads(Chart.render(copy, t -> t));
        assertThat(after).hasSize(3).hasSameSizeAs(before);
        for (int i = 0; i < before.size(); i++) {
            assertThat(after.get(i).at("/metadata/labels/helm.sh~1chart"))
                    .isNotEqualTo(before.get(i).at("/metadata/labels/helm.sh~1chart"));
            assertThat(after.get(i).at("/spec/template").toString())
                    .isEqualTo(before.get(i).at("/spec/template").toString());
        }
    }

    /** Every object with a pod template, in rendering order. */
    private static List<JsonNode> workloads(List<JsonNode> objects) {
        return objects.stream().filter(o -> o.at("/spec/template/spec").isObject()).toList();
    }

    private static JsonNode service(List<JsonNode> objects, String name) {
        return Chart.ofKind(objects, "Service").stream().filter(s -> s.at("/metadata/name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no Service " + name));
    }

    @Test
    void byDefaultTheServerRunsOnTheHostNetworkBesideTheMatterServer() {
        JsonNode pod = server(Chart.renderDefaults()).at("/spec/template/spec");
        assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
        assertThat(pod.path("dnsPolicy").asText()).isEqualTo("ClusterFirstWithHostNet");
    }

    @Test
    void portsAndProbesAreTheApiAndManagementPorts() {
        JsonNode container = server(Chart.renderDefaults()).at("/spec/template/spec/containers/0");
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
    void theServerJvmRunsWithTheMeasuredOptionsAndRoomBesideTheHeap() {
        List<JsonNode> objects = Chart.renderDefaults();
        Map<String, JsonNode> env = serverEnv(objects);
        List<String> options = List.of(env.get("JAVA_OPTS_APPEND").path("value").asText().split(" "));
        assertThat(options).containsAll(ServerProcess.DEFAULT_JVM_OPTIONS).contains("-XX:+ExitOnOutOfMemoryError");
        assertThat(env.get("GC_CONTAINER_OPTIONS").path("value").asText()).isEqualTo("-XX:+UseSerialGC");
        long heap = options.stream().filter(o -> o.startsWith("-Xmx")).map(o -> mebibytes(o.substring(4)))
                .findFirst().orElseThrow();
        long limit = mebibytes(server(objects)
                .at("/spec/template/spec/containers/0/resources/limits/memory").asText());
        // Metaspace, code cache, thread stacks, direct buffers: up to about 300 MiB beside the heap (values.yaml).
        assertThat(limit - heap).isGreaterThanOrEqualTo(384);
    }

    @Test
    void anotherCollectorReplacesTheImagesInsteadOfJoiningIt() {
        assertThat(serverEnv(Chart.render(Map.of("javaOptions", "-XX:+UseG1GC -Xmx512m"))).get("GC_CONTAINER_OPTIONS")
                .path("value").asText()).isEqualTo("-XX:+UseG1GC");
        assertThat(serverEnv(Chart.render(Map.of("javaOptions", "-Xmx512m -XX:+UseDynamicNumberOfGCThreads"))))
                .doesNotContainKey("GC_CONTAINER_OPTIONS");
    }

    /** A JVM size (512m, 1g) or a Kubernetes memory quantity (768Mi, 1Gi), in MiB. */
    private static long mebibytes(String size) {
        Matcher m = Pattern.compile("(\\d+)([mMgG]|[MG]i)").matcher(size);
        assertThat(m.matches()).as(size).isTrue();
        return Long.parseLong(m.group(1)) * (m.group(2).toLowerCase().startsWith("g") ? 1024 : 1);
    }

    @Test
    void theMatterServerIsReachedOnLocalhostAndItsAlertFollowsTheSetting() {
        JsonNode env = server(Chart.renderDefaults()).at("/spec/template/spec/containers/0/env");
        assertThat(env.findValues("name").stream().map(JsonNode::asText)).contains("OMNII_MATTER_URL");
        assertThat(env.toString()).contains("ws://localhost:5580/ws");
        List<JsonNode> off = Chart.render(Map.of("matter.url", "", "prometheusRule.enabled", "true"));
        assertThat(server(off).toString()).doesNotContain("OMNII_MATTER_URL");
        assertThat(Chart.one(off, "PrometheusRule").at("/spec/groups/0/rules").findValuesAsText("alert"))
                .doesNotContain("OmniiMatterServerDisconnected");
    }

    @Test
    void theServerRunsWithoutAnyPrivilege() {
        JsonNode pod = server(Chart.renderDefaults()).at("/spec/template/spec");
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
        JsonNode claim = Chart.one(Chart.renderDefaults(), "StatefulSet", "database")
                .at("/spec/volumeClaimTemplates/0/spec");
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
        assertSecretsOnlyReferenced(objects);
    }

    /** Every container of every workload takes its tokens and passwords from a Secret, never as a plain value. */
    private static void assertSecretsOnlyReferenced(List<JsonNode> objects) {
        List<JsonNode> containers = new ArrayList<>();
        for (JsonNode workload : objects) {
            for (String list : List.of("containers", "initContainers")) {
                workload.at("/spec/template/spec/" + list).forEach(containers::add);
            }
        }
        assertThat(containers).hasSizeGreaterThanOrEqualTo(2);
        for (JsonNode container : containers) {
            for (JsonNode var : container.path("env")) {
                String name = var.path("name").asText();
                if (name.contains("TOKEN") || name.contains("PASSWORD")) {
                    assertThat(var.has("value")).as(name).isFalse();
                    assertThat(var.at("/valueFrom/secretKeyRef/name").asText()).as(name).isNotEmpty();
                }
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

    @Test
    void byDefaultABundledMosquittoRunsTheDynamicSecurityPluginAndRefusesAnonymousClients() {
        List<JsonNode> objects = Chart.renderDefaults();
        List<String> config = brokerConfig(objects);
        assertThat(config).contains("allow_anonymous false", "plugin /usr/lib/mosquitto_dynamic_security.so",
                "plugin_opt_config_file /mosquitto/data/dynamic-security.json", "listener 1883");
        assertThat(config).noneMatch(line -> line.startsWith("allow_anonymous true"));

        JsonNode pod = Chart.one(objects, "StatefulSet", "broker").at("/spec/template/spec");
        assertThat(pod.at("/containers/0/image").asText()).matches("eclipse-mosquitto:2\\.0\\.\\d+");
        // The admin account is created on the volume's first start only: later starts keep the server's accounts.
        String init = pod.at("/initContainers/0/command/2").asText();
        assertThat(init).contains("if [ -f /mosquitto/data/dynamic-security.json ]",
                "mosquitto_ctrl dynsec init /mosquitto/data/dynamic-security.json \"$ADMIN_USER\" \"$ADMIN_PASSWORD\"");
        assertThat(pod.at("/initContainers/0/env")).filteredOn(e -> e.path("name").asText().equals("ADMIN_USER"))
                .extracting(e -> e.path("value").asText()).containsExactly("omnii-admin");
        // A changed configuration rolls the broker.
        assertThat(Chart.one(objects, "StatefulSet", "broker")
                .at("/spec/template/metadata/annotations/checksum~1config").asText()).hasSize(64);
    }

    @Test
    void theBundledBrokerSetsItsQueueAndInflightLimitsDeliberately() {
        assertThat(brokerConfig(Chart.renderDefaults())).contains("max_inflight_messages 0",
                "max_queued_messages 1000000", "max_queued_bytes 0", "set_tcp_nodelay true");
        assertThat(brokerConfig(Chart.render(Map.of("mosquitto.limits.maxQueuedMessages", "5000"))))
                .contains("max_queued_messages 5000");
    }

    @Test
    void theBundledBrokerKeepsItsAccountsAndSessionsOnLonghorn() {
        List<JsonNode> objects = Chart.renderDefaults();
        JsonNode broker = Chart.one(objects, "StatefulSet", "broker");
        JsonNode claim = broker.at("/spec/volumeClaimTemplates/0");
        assertThat(claim.at("/spec/storageClassName").asText()).isEqualTo("longhorn");
        assertThat(claim.at("/spec/resources/requests/storage").asText()).isEqualTo("1Gi");
        for (String container : List.of("initContainers", "containers")) {
            assertThat(broker.at("/spec/template/spec/" + container + "/0/volumeMounts"))
                    .filteredOn(m -> m.path("name").asText().equals(claim.at("/metadata/name").asText()))
                    .extracting(m -> m.path("mountPath").asText()).containsExactly("/mosquitto/data");
        }
        assertThat(brokerConfig(objects)).contains("persistence true", "persistence_location /mosquitto/data/");
    }

    @Test
    void theBundledBrokerRunsWithoutAnyPrivilege() {
        JsonNode pod = Chart.one(Chart.renderDefaults(), "StatefulSet", "broker").at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(1883);
        assertThat(pod.at("/securityContext/fsGroup").asInt()).isEqualTo(1883);
        assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        for (JsonNode container : List.of(pod.at("/initContainers/0"), pod.at("/containers/0"))) {
            JsonNode context = container.path("securityContext");
            assertThat(context.path("readOnlyRootFilesystem").asBoolean()).isTrue();
            assertThat(context.path("allowPrivilegeEscalation").asBoolean()).isFalse();
            assertThat(context.at("/capabilities/drop")).extracting(JsonNode::asText).containsExactly("ALL");
            assertThat(context.at("/capabilities/add").isMissingNode()).isTrue();
        }
        JsonNode broker = pod.at("/containers/0");
        assertThat(broker.at("/readinessProbe/tcpSocket/port").asText()).isEqualTo("mqtt");
        assertThat(broker.at("/livenessProbe/tcpSocket/port").asText()).isEqualTo("mqtt");
    }

    @Test
    void byDefaultTheServerUsesTheBundledBrokerInMosquittoDynsecMode() {
        List<JsonNode> objects = Chart.renderDefaults();
        Map<String, JsonNode> env = serverEnv(objects);
        JsonNode service = Chart.ofKind(objects, "Service").stream()
                .filter(o -> o.at("/metadata/name").asText().equals(env.get("OMNII_MQTT_HOST").path("value").asText()))
                .findFirst().orElseThrow();
        assertThat(service.at("/metadata/labels/app.kubernetes.io~1component").asText()).isEqualTo("broker");
        assertThat(service.at("/spec/type").asText()).isEqualTo("ClusterIP");
        assertThat(service.at("/spec/ports").findValuesAsText("port")).contains("1883");
        assertThat(env.get("OMNII_MQTT_PORT").path("value").asText()).isEqualTo("1883");
        assertThat(env.get("OMNII_MQTT_PROVISIONING_MODE").path("value").asText()).isEqualTo("mosquitto-dynsec");
        assertThat(env.get("OMNII_MQTT_PROVISIONING_ADMIN_USERNAME").path("value").asText()).isEqualTo("omnii-admin");
        assertThat(env.get("OMNII_MQTT_USERNAME").path("value").asText()).isEqualTo("omnii-server");
        assertThat(env).doesNotContainKey("OMNII_MQTT_TLS");

        JsonNode secret = Chart.one(objects, "Secret", "broker");
        assertThat(env.get("OMNII_MQTT_PASSWORD").at("/valueFrom/secretKeyRef/name").asText())
                .isEqualTo(secret.at("/metadata/name").asText());
        assertThat(env.get("OMNII_MQTT_PASSWORD").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("mqtt-password");
        assertThat(env.get("OMNII_MQTT_PROVISIONING_ADMIN_PASSWORD").at("/valueFrom/secretKeyRef/name").asText())
                .isEqualTo(secret.at("/metadata/name").asText());
        assertThat(env.get("OMNII_MQTT_PROVISIONING_ADMIN_PASSWORD").at("/valueFrom/secretKeyRef/key").asText())
                .isEqualTo("admin-password");
        // The broker's init container makes the admin account from the same Secret the server reads it from.
        JsonNode adminPassword = Chart.one(objects, "StatefulSet", "broker").at("/spec/template/spec/initContainers/0/env")
                .findParent("secretKeyRef").path("secretKeyRef");
        assertThat(adminPassword.path("name").asText()).isEqualTo(secret.at("/metadata/name").asText());
        assertThat(adminPassword.path("key").asText()).isEqualTo("admin-password");
    }

    @Test
    void brokerPasswordsAreGeneratedIntoAKeptSecretAndAppearNowhereElse() {
        List<JsonNode> objects = Chart.renderDefaults();
        JsonNode secret = Chart.one(objects, "Secret", "broker");
        assertThat(secret.at("/metadata/annotations/helm.sh~1resource-policy").asText()).isEqualTo("keep");
        List<String> passwords = new ArrayList<>();
        for (String key : List.of("mqtt-password", "admin-password")) {
            String password = new String(Base64.getDecoder().decode(secret.at("/data/" + key).asText()));
            assertThat(password).as(key).hasSizeGreaterThanOrEqualTo(32);
            passwords.add(password);
            passwords.add(secret.at("/data/" + key).asText());
        }
        for (JsonNode o : objects) {
            if (!"Secret".equals(o.path("kind").asText())) {
                assertThat(o.toString()).as(o.path("kind").asText()).doesNotContain(passwords.toArray(String[]::new));
            }
        }
        assertSecretsOnlyReferenced(objects);
        // Existing Secrets replace the generated one.
        assertThat(Chart.ofKind(Chart.render(Map.of("mqtt.existingSecret", "omnii-mqtt",
                "mosquitto.admin.existingSecret", "omnii-mqtt-admin")), "Secret"))
                .noneMatch(o -> o.at("/metadata/labels/app.kubernetes.io~1component").asText().equals("broker"));
    }

    /**
     * Upgrades, and a reinstall after an uninstall that kept the Secrets (Flux's install remediation), render the
     * generated Secrets with the values the cluster holds: the volumes were initialised with them.
     */
    @Test
    void generatedSecretsKeepTheValuesTheClusterAlreadyHolds() {
        String namespace = "home-automation";
        Map<String, String> admin = Map.of("admin-token", b64("the-token-from-the-first-install"));
        Map<String, String> database = Map.of("password", b64("the-database-password-from-the-first-install"));
        Map<String, String> broker = Map.of("mqtt-password", b64("the-server-broker-password"),
                "admin-password", b64("the-broker-admin-password"));
        List<JsonNode> first = Chart.renderDefaults();
        try {
            KubeApi.putSecret(namespace, "omnii-omnii-server-admin", admin);
            KubeApi.putSecret(namespace, "omnii-omnii-server-postgresql", database);
            KubeApi.putSecret(namespace, "omnii-omnii-server-mosquitto", broker);
            List<JsonNode> again = Chart.renderDefaults();
            assertThat(secretData(again, "server")).isEqualTo(admin);
            assertThat(secretData(again, "database")).isEqualTo(database);
            assertThat(secretData(again, "broker")).isEqualTo(broker);
            // A token given in the values is what the Secret holds, whatever the cluster had.
            assertThat(secretData(Chart.render(Map.of("admin.token", "a-token-given-in-the-values")), "server"))
                    .isEqualTo(Map.of("admin-token", b64("a-token-given-in-the-values")));
        } finally {
            KubeApi.clear();
        }
        // Nothing in the cluster (a first install): new random values, in Secrets Helm keeps on uninstall.
        for (String component : List.of("server", "database", "broker")) {
            JsonNode secret = Chart.one(first, "Secret", component);
            assertThat(secret.at("/metadata/annotations/helm.sh~1resource-policy").asText()).isEqualTo("keep");
            secretData(first, component).values().forEach(value -> assertThat(
                    Base64.getDecoder().decode(value)).as(component).hasSizeGreaterThanOrEqualTo(32));
        }
    }

    @Test
    void anExistingSecretForTheBundledDatabaseReplacesTheGeneratedOneEverywhere() {
        List<JsonNode> objects = Chart.render(Map.of("postgresql.existingSecret", "omnii-database"));
        assertThat(Chart.ofKind(objects, "Secret"))
                .noneMatch(o -> o.at("/metadata/labels/app.kubernetes.io~1component").asText().equals("database"));
        JsonNode postgres = Chart.one(objects, "StatefulSet", "database").at("/spec/template/spec/containers/0/env");
        assertThat(postgres).filteredOn(e -> e.path("name").asText().equals("POSTGRES_PASSWORD"))
                .extracting(e -> e.at("/valueFrom/secretKeyRef/name").asText() + "/"
                        + e.at("/valueFrom/secretKeyRef/key").asText())
                .containsExactly("omnii-database/password");
        JsonNode server = serverEnv(objects).get("QUARKUS_DATASOURCE_PASSWORD").at("/valueFrom/secretKeyRef");
        assertThat(server.path("name").asText() + "/" + server.path("key").asText()).isEqualTo("omnii-database/password");
        assertThat(objects.toString()).doesNotContain("omnii-omnii-server-postgresql\",\"key\"");
        Chart.assertRefused(Map.of("postgresql.existingSecret", "omnii-database",
                "postgresql.password", "a-password-given-twice"), "set one");
    }

    /** A token or password given in the values rolls the server; nothing else about secrets does. */
    @Test
    void podsRollWhenWhatTheyReadChanges() {
        List<JsonNode> defaults = Chart.renderDefaults();
        String secrets = "/spec/template/metadata/annotations/checksum~1secrets";
        assertThat(server(defaults).at(secrets).asText()).hasSize(64)
                .isEqualTo(server(Chart.renderDefaults()).at(secrets).asText());
        assertThat(server(Chart.render(Map.of("admin.token", "a-token-given-in-the-values"))).at(secrets).asText())
                .isNotEqualTo(server(defaults).at(secrets).asText());
        assertThat(server(Chart.render(Map.of("postgresql.password", "a-password-given-in-the-values")))
                .at(secrets).asText()).isNotEqualTo(server(defaults).at(secrets).asText());
        String config = "/spec/template/metadata/annotations/checksum~1config";
        assertThat(Chart.one(Chart.render(Map.of("mosquitto.limits.maxQueuedMessages", "5000")), "StatefulSet", "broker")
                .at(config).asText()).isNotEqualTo(Chart.one(defaults, "StatefulSet", "broker").at(config).asText());
    }

    private static String b64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> secretData(List<JsonNode> objects, String component) {
        return new com.fasterxml.jackson.databind.ObjectMapper().convertValue(
                Chart.one(objects, "Secret", component).path("data"), Map.class);
    }

    @Test
    void aTlsSecretAddsATlsListenerForTheHomesWhileTheServerStaysOnThePlainOne() {
        List<JsonNode> objects = Chart.render(Chart.DIR.resolve("ci/bundled-broker-tls-values.yaml"));
        assertThat(brokerConfig(objects)).containsSubsequence("listener 1883", "listener 8883",
                "certfile /mosquitto/tls/tls.crt", "keyfile /mosquitto/tls/tls.key");
        JsonNode pod = Chart.one(objects, "StatefulSet", "broker").at("/spec/template/spec");
        assertThat(pod.at("/volumes")).filteredOn(v -> v.path("name").asText().equals("tls"))
                .extracting(v -> v.at("/secret/secretName").asText()).containsExactly("omnii-mqtt-tls");
        assertThat(pod.at("/containers/0/volumeMounts")).filteredOn(m -> m.path("name").asText().equals("tls"))
                .extracting(m -> m.path("mountPath").asText() + " " + m.path("readOnly").asBoolean())
                .containsExactly("/mosquitto/tls true");
        assertThat(pod.at("/containers/0/ports").findValuesAsText("name")).containsExactly("mqtt", "mqtts");

        // The homes see only the TLS port; the in-cluster Service has both.
        JsonNode homes = homesService(objects);
        assertThat(homes.at("/spec/ports").findValuesAsText("port")).containsExactly("8883");
        assertThat(homes.at("/spec/type").asText()).isEqualTo("LoadBalancer");
        assertThat(homes.at("/spec/loadBalancerIP").asText()).isEqualTo("192.0.2.10");
        assertThat(homes.at("/metadata/annotations/external-dns.alpha.kubernetes.io~1hostname").asText())
                .isEqualTo("mqtt.example.com");
        Map<String, JsonNode> env = serverEnv(objects);
        JsonNode inCluster = Chart.ofKind(objects, "Service").stream()
                .filter(o -> o.at("/metadata/name").asText().equals(env.get("OMNII_MQTT_HOST").path("value").asText()))
                .findFirst().orElseThrow();
        assertThat(inCluster.at("/spec/ports").findValuesAsText("port")).containsExactly("1883", "8883");

        assertThat(env.get("OMNII_MQTT_PORT").path("value").asText()).isEqualTo("1883");
        assertThat(env).doesNotContainKey("OMNII_MQTT_TLS");
        assertThat(env.get("OMNII_MQTT_INSTANCE_BROKER_URL").path("value").asText())
                .isEqualTo("mqtts://mqtt.example.com:8883");
        assertThat(env.get("OMNII_MQTT_PROVISIONING_ADMIN_PASSWORD").at("/valueFrom/secretKeyRef/name").asText())
                .isEqualTo("omnii-mosquitto-admin");
        // Left unset, instances are told the homes' Service, over TLS.
        assertThat(serverEnv(Chart.render(Map.of("mosquitto.tls.existingSecret", "omnii-mqtt-tls")))
                .get("OMNII_MQTT_INSTANCE_BROKER_URL").path("value").asText())
                .isEqualTo("mqtts://" + homes.at("/metadata/name").asText() + ".home-automation.svc.cluster.local:8883");
    }

    @Test
    void withThePlainListenerClosedTheServerConnectsOverTlsTrustingOnlyTheSecretsCa() {
        List<JsonNode> objects = Chart.render(Chart.DIR.resolve("ci/bundled-broker-tls-only-values.yaml"));
        assertThat(brokerConfig(objects)).contains("listener 8883").doesNotContain("listener 1883");
        JsonNode broker = Chart.one(objects, "StatefulSet", "broker").at("/spec/template/spec/containers/0");
        assertThat(broker.at("/ports").findValuesAsText("name")).containsExactly("mqtts");
        assertThat(broker.at("/readinessProbe/tcpSocket/port").asText()).isEqualTo("mqtts");
        for (JsonNode service : Chart.ofKind(objects, "Service")) {
            if (service.at("/metadata/labels/app.kubernetes.io~1component").asText().equals("broker")) {
                assertThat(service.at("/spec/ports").findValuesAsText("port")).containsExactly("8883");
            }
        }
        assertThat(homesService(objects).at("/spec/type").asText()).isEqualTo("NodePort");
        assertThat(homesService(objects).at("/spec/ports/0/nodePort").asInt()).isEqualTo(30883);

        Map<String, JsonNode> env = serverEnv(objects);
        assertThat(env.get("OMNII_MQTT_PORT").path("value").asText()).isEqualTo("8883");
        assertThat(env.get("OMNII_MQTT_TLS").path("value").asText()).isEqualTo("true");
        assertThat(env.get("OMNII_MQTT_TLS_CONFIGURATION_NAME").path("value").asText()).isEqualTo("mqtt");
        String ca = env.get("QUARKUS_TLS_MQTT_TRUST_STORE_PEM_CERTS").path("value").asText();
        assertThat(env).doesNotContainKey("QUARKUS_TLS_MQTT_KEY_STORE_PEM_CLIENT_KEY");
        JsonNode pod = server(objects).at("/spec/template/spec");
        JsonNode mount = mountOf(pod, ca);
        // Only the CA reaches the server: never the broker's private key from the same Secret.
        assertThat(volume(pod, mount.path("name").asText()).path("secret").toString())
                .contains("omnii-mqtt-tls").contains("ca.crt").doesNotContain("tls.key");
        assertThat(env.get("OMNII_MQTT_USERNAME").path("value").asText()).isEqualTo("fleet-server");
        assertThat(env.get("OMNII_MQTT_PASSWORD").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("omnii-mqtt");
        assertThat(Chart.one(objects, "Secret", "broker").path("data").has("mqtt-password")).isFalse();
    }

    @Test
    void anExternalBrokerRendersNoMosquittoAndPassesItsTlsAndProvisioningSettings() {
        List<JsonNode> objects = Chart.render(Chart.DIR.resolve("ci/external-broker-tls-dynsec-values.yaml"));
        assertThat(objects).noneMatch(o -> o.at("/metadata/labels/app.kubernetes.io~1component").asText().equals("broker"));
        assertThat(objects.toString()).doesNotContain("mosquitto.conf", "eclipse-mosquitto");

        Map<String, JsonNode> env = serverEnv(objects);
        assertThat(env.get("OMNII_MQTT_HOST").path("value").asText()).isEqualTo("mqtt.example.internal");
        assertThat(env.get("OMNII_MQTT_PORT").path("value").asText()).isEqualTo("8883");
        assertThat(env.get("OMNII_MQTT_TLS").path("value").asText()).isEqualTo("true");
        assertThat(env.get("OMNII_MQTT_PROVISIONING_MODE").path("value").asText()).isEqualTo("mosquitto-dynsec");
        assertThat(env.get("OMNII_MQTT_PROVISIONING_ADMIN_USERNAME").path("value").asText()).isEqualTo("omnii-admin");
        assertThat(env.get("OMNII_MQTT_PROVISIONING_ADMIN_PASSWORD").at("/valueFrom/secretKeyRef/name").asText())
                .isEqualTo("omnii-mqtt-admin");
        JsonNode pod = server(objects).at("/spec/template/spec");
        String ca = env.get("QUARKUS_TLS_MQTT_TRUST_STORE_PEM_CERTS").path("value").asText();
        assertThat(volume(pod, mountOf(pod, ca).path("name").asText()).at("/secret/secretName").asText())
                .isEqualTo("omnii-mqtt-ca");
        String cert = env.get("QUARKUS_TLS_MQTT_KEY_STORE_PEM_CLIENT_CERT").path("value").asText();
        String key = env.get("QUARKUS_TLS_MQTT_KEY_STORE_PEM_CLIENT_KEY").path("value").asText();
        assertThat(volume(pod, mountOf(pod, cert).path("name").asText()).at("/secret/secretName").asText())
                .isEqualTo("omnii-mqtt-client");
        assertThat(mountOf(pod, key).path("name").asText()).isEqualTo(mountOf(pod, cert).path("name").asText());
        assertSecretsOnlyReferenced(objects);

        // The guide's anonymous broker stays the default for an external broker.
        Map<String, JsonNode> anonymous = serverEnv(Chart.render(Map.of("mosquitto.enabled", "false",
                "mqtt.host", "mosquitto.example.internal")));
        assertThat(anonymous.get("OMNII_MQTT_PROVISIONING_MODE").path("value").asText()).isEqualTo("none");
        assertThat(anonymous).doesNotContainKeys("OMNII_MQTT_TLS", "OMNII_MQTT_PASSWORD",
                "OMNII_MQTT_PROVISIONING_ADMIN_PASSWORD");
    }

    /** Several replicas are the scale-out mode, which the node's network cannot hold (ChartScaleOutTest). */
    @Test
    void replicasThatCouldNeverScheduleAreRefused() {
        Chart.assertRefused(Map.of("replicaCount", "2", "matterServerAffinity.enabled", "true"),
                "replicaCount 2 needs hostNetwork=false", "host ports 3001 and 9000");
        Chart.assertRefused(Map.of("replicaCount", "3", "nodeSelector.kubernetes\\.io/hostname", "mac-mini"),
                "replicaCount 3 needs hostNetwork=false");
        // One replica there, or several on pod networking: both schedule.
        assertThat(server(Chart.render(Map.of("matterServerAffinity.enabled", "true",
                "nodeSelector.kubernetes\\.io/hostname", "mac-mini"))).at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(server(Chart.render(Map.of("replicaCount", "2", "hostNetwork", "false", "dnsPolicy", "ClusterFirst",
                "matter.url", "ws://matter-server:5580/ws", "matterServerAffinity.enabled", "true")))
                .at("/spec/replicas").asInt()).isEqualTo(2);
    }

    @Test
    void everyWorkloadTakesThePullSecretsItsImageByDigestAndItsOwnPlacement() {
        List<JsonNode> objects = Chart.render(Chart.DIR.resolve("ci/workload-options-values.yaml"));
        assertThat(workloads(objects)).hasSize(3).allSatisfy(workload -> assertThat(
                workload.at("/spec/template/spec/imagePullSecrets").findValuesAsText("name"))
                .as(workload.at("/metadata/name").asText()).containsExactly("omnii-registry"));

        JsonNode server = server(objects).at("/spec/template");
        assertThat(server.at("/spec/containers/0/image").asText()).isEqualTo("registry.example.com/omnii/omnii-server"
                + "@sha256:0b4f6f3c1d2e5a7b9c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d");
        assertThat(server.at("/spec/tolerations/0/value").asText()).isEqualTo("home-automation");
        assertThat(server.at("/metadata/annotations/backup.example.com~1skip").asText()).isEqualTo("true");

        JsonNode database = Chart.one(objects, "StatefulSet", "database").at("/spec/template");
        assertThat(database.at("/spec/containers/0/image").asText()).isEqualTo("postgres"
                + "@sha256:1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d");
        assertThat(database.at("/spec/nodeSelector/disk").asText()).isEqualTo("ssd");
        assertThat(database.at("/spec/affinity/nodeAffinity").isObject()).isTrue();
        assertThat(database.at("/spec/tolerations").isMissingNode()).isTrue();
        assertThat(database.at("/metadata/annotations/backup.example.com~1volumes").asText()).isEqualTo("data");

        JsonNode broker = Chart.one(objects, "StatefulSet", "broker").at("/spec/template");
        for (String container : List.of("initContainers", "containers")) {
            assertThat(broker.at("/spec/" + container + "/0/image").asText()).as(container).isEqualTo(
                    "eclipse-mosquitto@sha256:2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e");
        }
        assertThat(broker.at("/spec/tolerations/0/value").asText()).isEqualTo("broker");
        assertThat(broker.at("/spec/nodeSelector/kubernetes.io~1arch").asText()).isEqualTo("arm64");
        assertThat(broker.at("/metadata/annotations/prometheus.io~1scrape").asText()).isEqualTo("false");
        assertThat(broker.at("/metadata/annotations/checksum~1config").asText()).hasSize(64);

        // Without them: tags, no pull secrets, no placement of the bundled pods.
        for (JsonNode workload : workloads(Chart.renderDefaults())) {
            JsonNode pod = workload.at("/spec/template/spec");
            assertThat(pod.at("/containers/0/image").asText()).doesNotContain("@").contains(":");
            assertThat(pod.has("imagePullSecrets")).isFalse();
            assertThat(pod.has("tolerations")).isFalse();
        }
        assertThat(Chart.one(Chart.renderDefaults(), "StatefulSet", "database").at("/spec/template/spec")
                .has("nodeSelector")).isFalse();
    }

    /** A private-registry, air-gapped or tainted cluster runs `helm test` too: its pod is placed like the server's. */
    @Test
    void theHelmTestPodPullsItsImageLikeEveryWorkloadAndRunsWhereTheServerDoes() {
        List<JsonNode> tests = Chart.renderHelmTests(t -> t.withValuesFile(Chart.DIR.resolve(
                "ci/workload-options-values.yaml")).set("nodeSelector.kubernetes\\.io/arch", "arm64"));
        JsonNode pod = Chart.one(tests, "Pod").path("spec");
        assertThat(pod.at("/containers/0/image").asText()).isEqualTo("registry.example.com/mirror/busybox"
                + "@sha256:3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f");
        assertThat(pod.at("/containers/0/imagePullPolicy").asText()).isEqualTo("Always");
        assertThat(pod.at("/imagePullSecrets").findValuesAsText("name")).containsExactly("omnii-registry");
        assertThat(pod.at("/tolerations/0/value").asText()).isEqualTo("home-automation");
        assertThat(pod.at("/nodeSelector/kubernetes.io~1arch").asText()).isEqualTo("arm64");

        JsonNode byDefault = Chart.one(Chart.renderHelmTests(t -> t), "Pod").path("spec");
        assertThat(byDefault.at("/containers/0/image").asText()).isEqualTo("busybox:1.36");
        assertThat(byDefault.has("imagePullSecrets")).isFalse();
        assertThat(byDefault.has("tolerations")).isFalse();
        assertThat(byDefault.has("affinity")).as("the probe goes through the Service, not beside the Matter Server")
                .isFalse();
        assertThat(Chart.one(Chart.renderHelmTests(t -> t.set("matterServerAffinity.enabled", "true")), "Pod")
                .at("/spec/affinity").isMissingNode()).isTrue();
    }

    /** docs/security.md's HTTPS for the API: the certificate's Secret mounted where the settings point. */
    @Test
    void extraVolumesMountWhatTheExtraSettingsName() {
        List<JsonNode> objects = Chart.render(Chart.DIR.resolve("ci/workload-options-values.yaml"));
        JsonNode pod = server(objects).at("/spec/template/spec");
        Map<String, JsonNode> env = serverEnv(objects);
        for (String file : List.of("QUARKUS_TLS_KEY_STORE_PEM_API_CERT", "QUARKUS_TLS_KEY_STORE_PEM_API_KEY")) {
            JsonNode mount = mountOf(pod, env.get(file).path("value").asText());
            assertThat(volume(pod, mount.path("name").asText()).at("/secret/secretName").asText())
                    .isEqualTo("omnii-api-tls");
        }
        // Beside the chart's own volumes, not instead of them.
        assertThat(pod.at("/containers/0/volumeMounts").findValuesAsText("name")).containsExactly("tmp", "api-tls");
        assertThat(pod.at("/volumes").findValuesAsText("name")).containsExactly("tmp", "api-tls");
        assertThat(pod.at("/containers/0/envFrom/0/configMapRef/name").asText()).isEqualTo("omnii-extra-settings");
        assertThat(env).containsKey("OMNII_MQTT_HOST");
    }

    @Test
    void malformedWorkloadOptionsAreRefused() {
        Chart.assertRefused(Map.of("image.digest", "latest"), "digest");
        Chart.assertRefused(Map.of("postgresql.image.digest", "sha256:abc"), "digest");
        Chart.assertRefused(Map.of("extraVolumeMounts[0].name", "api-tls"), "mountPath");
        Chart.assertRefused(Map.of("mosquitto.nodeSelectr.disk", "ssd"), "nodeSelectr");
    }

    @Test
    void halfConfiguredBrokersAreRefused() {
        Chart.assertRefused(Map.of("mqtt.host", "mqtt.example.internal"), "mosquitto.enabled");
        Chart.assertRefused(Map.of("mosquitto.tls.disablePlainListener", "true"), "mosquitto.tls.existingSecret");
        Chart.assertRefused(Map.of("mosquitto.enabled", "false"), "mqtt.host is required");
        Chart.assertRefused(Map.of("mosquitto.enabled", "false", "mqtt.host", "broker",
                "mqtt.provisioning.mode", "mosquitto-dynsec", "mqtt.username", "omnii-server",
                "mqtt.existingSecret", "omnii-mqtt", "mqtt.provisioning.adminUsername", "omnii-admin"),
                "mqtt.provisioning.existingSecret");
        Chart.assertRefused(Map.of("mosquitto.enabled", "false", "mqtt.host", "broker",
                "mqtt.tls.caSecret", "omnii-mqtt-ca"), "mqtt.tls.enabled");
    }

    /**
     * The broker configuration and first-start script the chart renders, run on this machine's Mosquitto with the
     * image's paths moved into a temporary directory: the plugin loads, the admin account works over both
     * listeners, a second start keeps the accounts, and an anonymous client is refused.
     */
    @Test
    void theRenderedBrokerRunsOnARealMosquittoAndRefusesAnonymousClients(@TempDir Path dir) throws Exception {
        TestCertificates certificates = TestCertificates.generate(dir.resolve("certs"));
        List<JsonNode> objects = Chart.render(Map.of("mosquitto.tls.existingSecret", "omnii-mqtt-tls"));
        Path data = Files.createDirectories(dir.resolve("data"));
        int plain = Ports.free();
        int tls = Ports.free();
        String plugin = MosquittoServer.dynamicSecurityPlugin();
        UnaryOperator<String> here = text -> text.replace("/mosquitto/data", data.toString())
                .replace("/mosquitto/tls/tls.crt", certificates.serverCertificate().toString())
                .replace("/mosquitto/tls/tls.key", certificates.serverKey().toString())
                .replace("/usr/lib/mosquitto_dynamic_security.so", plugin)
                .replace("listener 1883", "listener " + plain + " 127.0.0.1")
                .replace("listener 8883", "listener " + tls + " 127.0.0.1");
        String script = Chart.one(objects, "StatefulSet", "broker")
                .at("/spec/template/spec/initContainers/0/command/2").asText();
        String password = "an-admin-password-for-this-test";

        assertThat(run(here.apply(script), password)).contains("omnii-admin");
        Path accounts = data.resolve("dynamic-security.json");
        byte[] first = Files.readAllBytes(accounts);
        assertThat(run(here.apply(script), "another-password")).contains("keeping it");
        assertThat(Files.readAllBytes(accounts)).isEqualTo(first);

        Path config = dir.resolve("mosquitto.conf");
        // As root Mosquitto would switch to its own user, which cannot read this directory; in the pod it is uid 1883.
        Files.writeString(config, here.apply(String.join("\n", brokerConfig(objects)))
                + "\nuser " + System.getProperty("user.name") + "\n");
        Process broker = new ProcessBuilder("mosquitto", "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        try {
            Ports.awaitOpen(plain, Duration.ofSeconds(10), broker);
            Ports.awaitOpen(tls, Duration.ofSeconds(10), broker);
            assertThat(run("mosquitto_ctrl -h 127.0.0.1 -p " + plain + " -u omnii-admin -P \"$ADMIN_PASSWORD\""
                    + " dynsec listClients", password)).contains("omnii-admin");
            assertThat(run("mosquitto_ctrl -h localhost -p " + tls + " --cafile " + certificates.caCertificate()
                    + " -u omnii-admin -P \"$ADMIN_PASSWORD\" dynsec listClients", password)).contains("omnii-admin");
            MqttClient anonymous = new MqttClient("tcp://127.0.0.1:" + plain, "anonymous", new MemoryPersistence());
            assertThatThrownBy(anonymous::connect).isInstanceOf(MqttSecurityException.class);
            anonymous.close();
        } finally {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Runs a shell script with the admin account in its environment, as the init container has it. */
    private static String run(String script, String adminPassword) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true);
        builder.environment().put("ADMIN_USER", "omnii-admin");
        builder.environment().put("ADMIN_PASSWORD", adminPassword);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static List<String> brokerConfig(List<JsonNode> objects) {
        return Chart.one(objects, "ConfigMap", "broker").at("/data/mosquitto.conf").asText().lines().toList();
    }

    private static JsonNode homesService(List<JsonNode> objects) {
        return Chart.ofKind(objects, "Service").stream()
                .filter(o -> o.at("/metadata/name").asText().endsWith("-mosquitto-homes")).findFirst().orElseThrow();
    }

    /** The server's StatefulSet. */
    private static JsonNode server(List<JsonNode> objects) {
        return Chart.one(objects, "StatefulSet", "server");
    }

    private static Map<String, JsonNode> serverEnv(List<JsonNode> objects) {
        Map<String, JsonNode> env = new LinkedHashMap<>();
        server(objects).at("/spec/template/spec/containers/0/env")
                .forEach(var -> env.put(var.path("name").asText(), var));
        return env;
    }

    /** The server container's mount that holds this file. */
    private static JsonNode mountOf(JsonNode pod, String file) {
        for (JsonNode mount : pod.at("/containers/0/volumeMounts")) {
            if (file.startsWith(mount.path("mountPath").asText() + "/")) {
                assertThat(mount.path("readOnly").asBoolean()).as(file).isTrue();
                return mount;
            }
        }
        throw new AssertionError("no volume mounted for " + file);
    }

    private static JsonNode volume(JsonNode pod, String name) {
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.path("name").asText().equals(name)) {
                return volume;
            }
        }
        throw new AssertionError("no volume " + name);
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
        Chart.assertRefused(Map.of("hostNetwrk", "true"), "hostNetwrk");
        Chart.assertRefused(Map.of("postgresql.persistence.sise", "1Gi"), "sise");
        Chart.assertRefused(Map.of("mosquitto.persistance.size", "1Gi"), "persistance");
        Chart.assertRefused(Map.of("mosquitto.tls.existingSecrets", "omnii-mqtt-tls"), "existingSecrets");
        Chart.assertRefused(Map.of("mqtt.provisioning.mode", "dynsec"), "mode");
    }
}
