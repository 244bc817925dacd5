package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The chart's optional objects (NetworkPolicies, the PodDisruptionBudget, the Ingress and the HTTPRoute) and its
 * metadata: each object appears only when asked, selects the pods it is about and names their real ports.
 */
class ChartObjectsTest {

    private static final Path CI = Chart.DIR.resolve("ci");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String REPOSITORY = "https://github.com/omnii/omnii-server/blob/main/";
    private static final String RAW = "https://raw.githubusercontent.com/omnii/omnii-server/main/";
    private static final String[] OPTIONAL_KINDS = {"NetworkPolicy", "PodDisruptionBudget", "Ingress", "HTTPRoute"};

    @Test
    void byDefaultNoOptionalObjectIsRendered() {
        List<JsonNode> objects = Chart.renderDefaults();
        for (String kind : OPTIONAL_KINDS) {
            assertThat(Chart.ofKind(objects, kind)).as(kind).isEmpty();
        }
        assertThat(env(objects)).doesNotContainKey("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING");
    }

    @Test
    void withPodNetworkingTheDatabaseAdmitsOnlyTheServersPods() {
        List<JsonNode> objects = Chart.render(CI.resolve("network-policy-pod-network-values.yaml"));
        JsonNode policy = policyOf(objects, "database");
        assertSelects(policy.at("/spec/podSelector/matchLabels"), podLabels(objects, "database"));
        assertThat(policy.at("/spec/policyTypes").toString()).isEqualTo("[\"Ingress\"]");
        JsonNode rules = policy.at("/spec/ingress");
        assertThat(rules).hasSize(1);
        assertThat(ports(rules.get(0))).containsExactlyElementsOf(containerPorts(objects, "database"));
        JsonNode from = rules.get(0).path("from");
        assertThat(from).hasSize(1);
        assertSelects(from.at("/0/podSelector/matchLabels"), podLabels(objects, "server"));
        assertThat(selects(from.at("/0/podSelector/matchLabels"), podLabels(objects, "broker"))).isFalse();
    }

    @Test
    void withHostNetworkingTheDatabaseAndTheBrokerAdmitTheServerByItsNodesAddresses() {
        List<JsonNode> objects = Chart.render(CI.resolve("network-policy-host-network-values.yaml"));
        List<String> nodes = List.of("192.168.10.0/24", "10.42.0.0/32");
        JsonNode database = policyOf(objects, "database").at("/spec/ingress/0/from");
        assertThat(database.findValuesAsText("cidr")).containsExactlyElementsOf(nodes);
        assertThat(database.findValue("podSelector")).as("a host-network pod's traffic carries no pod labels").isNull();
        JsonNode plain = ruleFor(policyOf(objects, "broker"), 1883);
        assertThat(plain.path("from").findValuesAsText("cidr")).containsExactlyElementsOf(nodes);
    }

    @Test
    void withHostNetworkingAPolicyWithoutNodeCidrsIsRefused() {
        Chart.assertRefused(Map.of("networkPolicy.enabled", "true"),
                "networkPolicy.nodeCidrs is required with hostNetwork=true");
        // Without a bundled database or broker the server is nobody's peer: nothing to name it by.
        List<JsonNode> external = Chart.render(t -> t.withValuesFile(CI.resolve("external-database-values.yaml"))
                .set("networkPolicy.enabled", "true"));
        assertThat(Chart.ofKind(external, "NetworkPolicy")).isEmpty();
    }

    @Test
    void withTlsForTheHomesThePlainListenerAdmitsOnlyTheServer() {
        List<JsonNode> objects = Chart.render(CI.resolve("network-policy-host-network-values.yaml"));
        JsonNode policy = policyOf(objects, "broker");
        assertSelects(policy.at("/spec/podSelector/matchLabels"), podLabels(objects, "broker"));
        assertThat(policy.at("/spec/ingress").findValues("port")).extracting(JsonNode::asInt)
                .containsExactlyInAnyOrderElementsOf(containerPorts(objects, "broker"));
        JsonNode homes = ruleFor(policy, 8883);
        assertThat(homes.path("from").findValuesAsText("cidr")).containsExactly("0.0.0.0/0");
        JsonNode plain = ruleFor(policy, 1883);
        assertThat(plain.path("from").findValuesAsText("cidr")).doesNotContain("0.0.0.0/0");
    }

    @Test
    void withoutTlsTheHomesListenerAdmitsTheHomesSourcesAndTheServer() {
        List<JsonNode> anywhere = Chart.render(Map.of("hostNetwork", "false", "dnsPolicy", "ClusterFirst",
                "matter.url", "", "networkPolicy.enabled", "true"));
        JsonNode open = ruleFor(policyOf(anywhere, "broker"), 1883);
        assertThat(open.has("from")).as("no sources named: from anywhere, the server included").isFalse();
        assertThat(policyOf(anywhere, "broker").at("/spec/ingress")).hasSize(1);

        List<JsonNode> named = Chart.render(t -> t.withValuesFile(CI.resolve("network-policy-pod-network-values.yaml"))
                .set("networkPolicy.brokerFrom[0].ipBlock.cidr", "203.0.113.0/24"));
        JsonNode from = ruleFor(policyOf(named, "broker"), 1883).path("from");
        assertThat(from.findValuesAsText("cidr")).containsExactly("203.0.113.0/24");
        assertThat(from.findValues("podSelector")).hasSize(1);
        assertSelects(from.findValue("podSelector").path("matchLabels"), podLabels(named, "server"));
    }

    @Test
    void withOnlyTheTlsListenerTheServerIsAdmittedBesideTheHomes() {
        List<JsonNode> objects = Chart.render(t -> t.withValuesFile(CI.resolve("bundled-broker-tls-only-values.yaml"))
                .set("networkPolicy.enabled", "true").set("networkPolicy.nodeCidrs[0]", "192.168.10.0/24")
                .set("networkPolicy.brokerFrom[0].ipBlock.cidr", "203.0.113.0/24"));
        JsonNode policy = policyOf(objects, "broker");
        assertThat(policy.at("/spec/ingress")).hasSize(1);
        assertThat(ruleFor(policy, 8883).path("from").findValuesAsText("cidr"))
                .containsExactly("203.0.113.0/24", "192.168.10.0/24");
    }

    @Test
    void theServersPolicyNamesItsPortsAndPeersAndIsLeftOutWithHostNetworking() {
        List<JsonNode> objects = Chart.render(CI.resolve("network-policy-pod-network-values.yaml"));
        JsonNode policy = policyOf(objects, "server");
        assertSelects(policy.at("/spec/podSelector/matchLabels"), podLabels(objects, "server"));
        JsonNode container = Chart.one(objects, "StatefulSet", "server").at("/spec/template/spec/containers/0");
        int api = portNamed(container, "api");
        int management = portNamed(container, "management");
        assertThat(ruleFor(policy, api).at("/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name")
                .asText()).isEqualTo("ingress-nginx");
        assertThat(ruleFor(policy, management)
                .at("/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText())
                .isEqualTo("monitoring");

        List<JsonNode> hostNetwork = Chart.render(CI.resolve("network-policy-host-network-values.yaml"));
        assertThat(Chart.ofKind(hostNetwork, "NetworkPolicy")).extracting(ChartObjectsTest::component)
                .containsExactlyInAnyOrder("database", "broker");
    }

    @Test
    void aDisruptionBudgetGuardsTheServerOnlyAboveOneReplica() {
        assertThat(Chart.ofKind(Chart.renderDefaults(), "PodDisruptionBudget")).as("one replica").isEmpty();
        List<JsonNode> objects = Chart.render(CI.resolve("pod-disruption-budget-values.yaml"));
        JsonNode budget = Chart.one(objects, "PodDisruptionBudget");
        assertThat(budget.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
        assertThat(budget.at("/spec/minAvailable").isMissingNode()).isTrue();
        assertSelects(budget.at("/spec/selector/matchLabels"), podLabels(objects, "server"));
        assertThat(Chart.ofKind(Chart.render(t -> t.withValuesFile(CI.resolve("pod-disruption-budget-values.yaml"))
                .set("replicaCount", "3").set("podDisruptionBudget.enabled", "false")), "PodDisruptionBudget")).isEmpty();
    }

    /** unhealthyPodEvictionPolicy is Kubernetes 1.27's; the chart admits 1.25 and 1.26 too. */
    @Test
    void aNotReadyReplicaNeverBlocksADrainWhereTheClusterKnowsHow() {
        Path scenario = CI.resolve("pod-disruption-budget-values.yaml");
        for (String version : List.of("1.27.0", "1.27.3-gke.1067004", "1.32.0")) {
            JsonNode budget = Chart.one(Chart.render(t -> t.withValuesFile(scenario).withKubeVersion(version)),
                    "PodDisruptionBudget");
            assertThat(budget.at("/spec/unhealthyPodEvictionPolicy").asText()).as(version).isEqualTo("AlwaysAllow");
        }
        for (String version : List.of("1.25.0", "1.26.15")) {
            JsonNode budget = Chart.one(Chart.render(t -> t.withValuesFile(scenario).withKubeVersion(version)),
                    "PodDisruptionBudget");
            assertThat(budget.at("/spec/unhealthyPodEvictionPolicy").isMissingNode()).as(version).isTrue();
            assertThat(budget.at("/spec/maxUnavailable").asInt()).as(version).isEqualTo(1);
        }
    }

    @Test
    void theIngressRoutesEveryHostToTheServersApiPortWithTls() {
        List<JsonNode> objects = Chart.render(CI.resolve("ingress-values.yaml"));
        JsonNode ingress = Chart.one(objects, "Ingress");
        JsonNode service = serverService(objects);
        assertSelects(service.at("/spec/selector"), podLabels(objects, "server"));
        assertThat(ingress.at("/spec/ingressClassName").asText()).isEqualTo("nginx");
        assertThat(ingress.at("/metadata/annotations/cert-manager.io~1cluster-issuer").asText()).isEqualTo("letsencrypt");
        assertThat(ingress.at("/spec/rules").findValuesAsText("host"))
                .containsExactly("omnii.example.com", "enroll.example.com");
        assertThat(ingress.at("/spec/rules/0/http/paths/0/path").asText()).isEqualTo("/");
        assertThat(ingress.at("/spec/rules/0/http/paths/0/pathType").asText()).isEqualTo("Prefix");
        assertThat(ingress.at("/spec/rules/1/http/paths/0/path").asText()).isEqualTo("/enroll");
        assertThat(ingress.at("/spec/rules/1/http/paths/0/pathType").asText()).isEqualTo("Exact");
        for (JsonNode backend : ingress.at("/spec/rules").findValues("service")) {
            assertThat(backend.path("name").asText()).isEqualTo(service.at("/metadata/name").asText());
            assertThat(backend.at("/port/name").asText()).isEqualTo("api");
        }
        assertThat(service.at("/spec/ports").findValuesAsText("name")).contains("api");
        assertThat(ingress.at("/spec/tls/0/secretName").asText()).isEqualTo("omnii-tls");
        assertThat(ingress.at("/spec/tls/0/hosts")).hasSize(2);

        Chart.assertRefused(Map.of("ingress.enabled", "true", "reverseProxy.trustedProxies[0]", "10.42.0.0/16"),
                "ingress.hosts needs at least one host");
    }

    @Test
    void theHttpRouteAttachesToItsGatewayAndReachesTheApiPortByNumber() {
        List<JsonNode> objects = Chart.render(CI.resolve("httproute-values.yaml"));
        JsonNode route = Chart.one(objects, "HTTPRoute");
        assertThat(route.path("apiVersion").asText()).isEqualTo("gateway.networking.k8s.io/v1");
        assertThat(route.at("/spec/parentRefs/0/name").asText()).isEqualTo("gateway");
        assertThat(route.at("/spec/parentRefs/0/namespace").asText()).isEqualTo("gateway-system");
        assertThat(route.at("/spec/parentRefs/0/sectionName").asText()).isEqualTo("https");
        assertThat(route.at("/spec/hostnames/0").asText()).isEqualTo("omnii.example.com");
        assertThat(route.at("/spec/rules/0/matches/0/path/value").asText()).isEqualTo("/");
        JsonNode backend = route.at("/spec/rules/0/backendRefs/0");
        assertThat(backend.path("name").asText()).isEqualTo("omnii-omnii-server");
        JsonNode apiPort = serverService(objects).at("/spec/ports/0");
        assertThat(apiPort.path("name").asText()).isEqualTo("api");
        assertThat(backend.path("port").asInt()).isEqualTo(apiPort.path("port").asInt());

        Chart.assertRefused(Map.of("httpRoute.enabled", "true", "reverseProxy.trustedProxies[0]", "10.42.0.0/16"),
                "httpRoute.parentRefs");
    }

    @Test
    void behindTheIngressOrTheRouteTheServerTakesTheSchemeFromForwardedHeaders() {
        for (Path scenario : List.of(CI.resolve("ingress-values.yaml"), CI.resolve("httproute-values.yaml"))) {
            Map<String, String> env = env(Chart.render(scenario));
            assertThat(env).as(scenario.toString()).containsEntry("QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true")
                    .containsEntry("QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true");
        }
        for (Path scenario : List.of(CI.resolve("ingress-values.yaml"), CI.resolve("httproute-values.yaml"))) {
            assertThat(env(Chart.render(scenario))).as(scenario.toString())
                    .containsEntry("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "10.42.0.0/16");
        }
        // On pod networking the proxy is the only way in: headers from any sender are the proxy's.
        assertThat(env(Chart.render(Map.of("httpRoute.enabled", "true", "httpRoute.parentRefs[0].name", "gateway",
                "hostNetwork", "false", "dnsPolicy", "ClusterFirst", "matter.url", ""))))
                .containsEntry("QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true")
                .doesNotContainKey("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES");
        Map<String, String> ownProxy = env(Chart.render(Map.of("reverseProxy.enabled", "true",
                "reverseProxy.trustedProxies[0]", "10.0.0.1", "reverseProxy.trustedProxies[1]", "10.0.0.2")));
        assertThat(ownProxy).containsEntry("QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true")
                .containsEntry("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "10.0.0.1,10.0.0.2");
    }

    /** Port 3001 of every node is reachable past the proxy: its forwarded headers must come from the proxy only. */
    @Test
    void onTheNodesNetworkAProxyWithoutTrustedProxiesIsRefused() {
        for (String proxy : List.of("ingress", "httpRoute", "reverseProxy")) {
            Map<String, Object> settings = new LinkedHashMap<>(Map.of(proxy + ".enabled", "true",
                    "ingress.hosts[0].host", "omnii.example.com", "httpRoute.parentRefs[0].name", "gateway"));
            Chart.assertRefused(settings, "reverseProxy.trustedProxies is required with hostNetwork=true",
                    "port 3001 of every node", "the ingress controller's or gateway's pod CIDR");
            settings.put("reverseProxy.trustedProxies[0]", "10.42.0.0/16");
            assertThat(env(Chart.render(settings))).as(proxy)
                    .containsEntry("QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "10.42.0.0/16");
        }
    }

    @Test
    void typosAndMalformedAddressesInTheNewSectionsAreRefused() {
        Chart.assertRefused(Map.of("networkPolicy.nodeCidr[0]", "192.168.10.0/24"), "nodeCidr");
        Chart.assertRefused(Map.of("networkPolicy.nodeCidrs[0]", "192.168.10.7"), "nodeCidrs");
        Chart.assertRefused(Map.of("networkPolicy.brokerFrom[0].ipblock.cidr", "0.0.0.0/0"), "ipblock");
        Chart.assertRefused(Map.of("ingress.hosts[0].hostname", "omnii.example.com"), "hostname");
        Chart.assertRefused(Map.of("ingress.hosts[0].host", "omnii.example.com",
                "ingress.hosts[0].paths[0].path", "enroll"), "path");
        Chart.assertRefused(Map.of("httpRoute.parentRef[0].name", "gateway"), "parentRef");
        Chart.assertRefused(Map.of("podDisruptionBudget.minAvailable", "1"), "minAvailable");
    }

    @Test
    void theChartListsEveryImageItsDefaultsRun() throws IOException {
        JsonNode chart = YAML.readTree(Chart.DIR.resolve("Chart.yaml").toFile());
        Set<String> listed = new HashSet<>(YAML.readTree(chart.at("/annotations/artifacthub.io~1images").asText())
                .findValuesAsText("image"));
        Set<String> running = new HashSet<>();
        for (JsonNode o : Chart.renderDefaults()) {
            for (String list : List.of("initContainers", "containers")) {
                running.addAll(o.at("/spec/template/spec/" + list).findValuesAsText("image"));
            }
        }
        assertThat(running).as("images of the rendered defaults").hasSizeGreaterThanOrEqualTo(3);
        List<JsonNode> tests = Chart.renderHelmTests(t -> t);
        assertThat(tests).as("helm test's pods").isNotEmpty();
        for (JsonNode test : tests) {
            running.addAll(test.at("/spec/containers").findValuesAsText("image"));
        }
        assertThat(listed).isEqualTo(running);
    }

    @Test
    void theChartNamesItsMaintainersAndItsIconAndLinksPointIntoTheRepository() throws IOException {
        JsonNode chart = YAML.readTree(Chart.DIR.resolve("Chart.yaml").toFile());
        assertThat(chart.at("/maintainers/0/name").asText()).isNotBlank();
        assertThat(chart.path("kubeVersion").asText()).isNotBlank();
        String icon = chart.path("icon").asText();
        assertThat(icon).startsWith(RAW).endsWith(".svg");
        assertThat(Path.of(icon.substring(RAW.length()))).isRegularFile();
        List<String> links = YAML.readTree(chart.at("/annotations/artifacthub.io~1links").asText())
                .findValuesAsText("url");
        assertThat(links).isNotEmpty();
        for (String link : links.stream().filter(l -> l.startsWith(REPOSITORY)).toList()) {
            assertThat(Path.of(link.substring(REPOSITORY.length()))).as(link).isRegularFile();
        }
    }

    private static JsonNode policyOf(List<JsonNode> objects, String component) {
        return Chart.one(objects, "NetworkPolicy", component);
    }

    /** The server's load-balanced Service (not the headless one). */
    private static JsonNode serverService(List<JsonNode> objects) {
        return Chart.ofKind(objects, "Service").stream()
                .filter(s -> "server".equals(component(s)) && !"None".equals(s.at("/spec/clusterIP").asText()))
                .findFirst().orElseThrow();
    }

    private static String component(JsonNode object) {
        return object.at("/metadata/labels/app.kubernetes.io~1component").asText();
    }

    /** The labels of the pods of a component's StatefulSet. */
    private static JsonNode podLabels(List<JsonNode> objects, String component) {
        return Chart.one(objects, "StatefulSet", component).at("/spec/template/metadata/labels");
    }

    private static List<Integer> containerPorts(List<JsonNode> objects, String component) {
        return Chart.one(objects, "StatefulSet", component).at("/spec/template/spec/containers/0/ports")
                .findValues("containerPort").stream().map(JsonNode::asInt).toList();
    }

    private static int portNamed(JsonNode container, String name) {
        for (JsonNode port : container.path("ports")) {
            if (name.equals(port.path("name").asText())) {
                return port.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no port " + name);
    }

    private static List<Integer> ports(JsonNode rule) {
        return rule.path("ports").findValues("port").stream().map(JsonNode::asInt).toList();
    }

    /** The one rule of a policy that admits this port. */
    private static JsonNode ruleFor(JsonNode policy, int port) {
        List<JsonNode> rules = new ArrayList<>();
        policy.at("/spec/ingress").forEach(r -> {
            if (ports(r).contains(port)) {
                rules.add(r);
            }
        });
        assertThat(rules).as("rules for port " + port).hasSize(1);
        return rules.get(0);
    }

    private static boolean selects(JsonNode matchLabels, JsonNode labels) {
        if (matchLabels.isEmpty()) {
            return false;
        }
        var it = matchLabels.fields();
        while (it.hasNext()) {
            var label = it.next();
            if (!label.getValue().asText().equals(labels.path(label.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    private static void assertSelects(JsonNode matchLabels, JsonNode labels) {
        assertThat(selects(matchLabels, labels)).as(matchLabels + " selects " + labels).isTrue();
    }

    private static Map<String, String> env(List<JsonNode> objects) {
        Map<String, String> env = new HashMap<>();
        Chart.one(objects, "StatefulSet", "server").at("/spec/template/spec/containers/0/env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        return env;
    }
}
