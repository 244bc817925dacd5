package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard the chart ships, read as Grafana would, and the ConfigMap that carries it. */
class DashboardTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CONNECTION_GAUGES = List.of("omnii_mqtt_connected", "omnii_matter_connected");
    // A series selector: the metric's name and its label matchers, if any.
    private static final Pattern SELECTOR = Pattern.compile("\\b(omnii_[a-z_]+|up)\\b(\\{[^}]*})?");
    private static final String RELEASE = "namespace=\"$namespace\", service=\"$service\"";

    private static JsonNode dashboard() throws IOException {
        return JSON.readTree(Chart.DIR.resolve("dashboards").resolve("omnii-fleet.json").toFile());
    }

    private static JsonNode configMap(Map<String, Object> settings) {
        return configMap(Chart.render(settings));
    }

    private static JsonNode configMap(List<JsonNode> objects) {
        return Chart.ofKind(objects, "ConfigMap").stream()
                .filter(c -> c.at("/metadata/name").asText().endsWith("-dashboard")).findFirst().orElseThrow();
    }

    /** The dashboard as Grafana's sidecar hands it over: the ConfigMap's JSON, for release "omnii" or another one. */
    private static JsonNode rendered(List<JsonNode> objects) throws IOException {
        return JSON.readTree(configMap(objects).at("/data/omnii-fleet.json").asText());
    }

    private static JsonNode variable(JsonNode dashboard, String name) {
        for (JsonNode variable : dashboard.at("/templating/list")) {
            if (name.equals(variable.path("name").asText())) {
                return variable;
            }
        }
        throw new AssertionError("no variable " + name);
    }

    @Test
    void everyQuerySelectsTheReleaseChosenInTheDashboard() throws IOException {
        int selectors = 0;
        for (JsonNode dashboard : List.of(dashboard(), rendered(Chart.renderDefaults()))) {
            for (JsonNode panel : dashboard.path("panels")) {
                assertThat(panel.at("/datasource/uid").asText()).as(panel.path("title").asText())
                        .isEqualTo("${datasource}");
                for (JsonNode target : panel.path("targets")) {
                    Matcher selector = SELECTOR.matcher(target.path("expr").asText());
                    int found = 0;
                    while (selector.find()) {
                        found++;
                        assertThat(selector.group(2)).as(panel.path("title").asText() + ": " + selector.group())
                                .isNotNull().contains(RELEASE);
                    }
                    assertThat(found).as(target.path("expr").asText()).isPositive();
                    selectors += found;
                }
            }
        }
        assertThat(selectors).isGreaterThan(2 * 10);
    }

    @Test
    void theReleaseIsPickedFromTheSeriesOfTheChosenDataSourceAndOpensOnThisRelease() throws IOException {
        JsonNode dashboard = rendered(Chart.renderDefaults());
        assertThat(variable(dashboard, "datasource").path("type").asText()).isEqualTo("datasource");
        assertThat(variable(dashboard, "datasource").path("query").asText()).isEqualTo("prometheus");
        JsonNode namespace = variable(dashboard, "namespace");
        JsonNode service = variable(dashboard, "service");
        for (JsonNode variable : List.of(namespace, service)) {
            assertThat(variable.path("type").asText()).isEqualTo("query");
            assertThat(variable.at("/datasource/uid").asText()).isEqualTo("${datasource}");
            // One release at a time: several would add up their counts again.
            assertThat(variable.path("multi").asBoolean()).isFalse();
            assertThat(variable.path("includeAll").asBoolean()).isFalse();
        }
        assertThat(namespace.path("query").asText()).isEqualTo("label_values(omnii_build_info, namespace)");
        assertThat(service.path("query").asText())
                .isEqualTo("label_values(omnii_build_info{namespace=\"$namespace\"}, service)");
        assertThat(namespace.at("/current/value").asText()).isEqualTo("home-automation");
        assertThat(service.at("/current/value").asText()).isEqualTo("omnii-omnii-server");
    }

    @Test
    void twoReleasesInOneGrafanaGetTwoDashboards() throws IOException {
        JsonNode first = rendered(Chart.renderDefaults());
        JsonNode second = rendered(Chart.render(t -> t.withName("lab").withNamespace("staging")));
        assertThat(first.path("uid").asText()).isEqualTo("home-automation_omnii-omnii-server");
        assertThat(second.path("uid").asText()).isEqualTo("staging_lab-omnii-server");
        assertThat(first.path("title").asText()).isEqualTo("Omnii fleet (home-automation/omnii-omnii-server)");
        assertThat(second.path("title").asText()).isEqualTo("Omnii fleet (staging/lab-omnii-server)");
        assertThat(variable(second, "namespace").at("/current/value").asText()).isEqualTo("staging");
        assertThat(variable(second, "service").at("/current/value").asText()).isEqualTo("lab-omnii-server");
    }

    @Test
    void aLongReleaseNameStillGivesAUidGrafanaTakesAndOneOfItsOwn() throws IOException {
        String namespace = "a-namespace-name-that-is-quite-long";
        String uid = rendered(Chart.render(t -> t.withNamespace(namespace).set("fullnameOverride", "fleet-a")))
                .path("uid").asText();
        String other = rendered(Chart.render(t -> t.withNamespace(namespace).set("fullnameOverride", "fleet-b")))
                .path("uid").asText();
        assertThat(uid).hasSizeLessThanOrEqualTo(40).matches("[A-Za-z0-9_-]+").isNotEqualTo(other);
        assertThat(uid).startsWith(namespace.substring(0, 31));
    }

    @Test
    void aUidCanBeKeptFromAnEarlierInstallButNotOneGrafanaRefuses() throws IOException {
        assertThat(rendered(Chart.render(Map.of("dashboard.uid", "omnii-fleet"))).path("uid").asText())
                .isEqualTo("omnii-fleet");
        assertThatThrownBy(() -> Chart.render(Map.of("dashboard.uid", "x".repeat(41))))
                .hasMessageContaining("/dashboard/uid");
    }

    @Test
    void theRenderedDashboardKeepsEveryPanelAndTargetOfTheFile() throws IOException {
        JsonNode file = dashboard();
        JsonNode shipped = rendered(Chart.renderDefaults());
        assertThat(shipped.path("panels")).isEqualTo(file.path("panels"));
        assertThat(shipped.path("schemaVersion")).isEqualTo(file.path("schemaVersion"));
    }

    @Test
    void noPanelAddsUpAFleetWideGaugeOverReplicas() throws IOException {
        int queries = 0;
        for (JsonNode panel : dashboard().path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries++;
                assertThat(FleetGauges.summedOverReplicas(target.path("expr").asText()))
                        .as(panel.path("title").asText()).isEmpty();
            }
        }
        assertThat(queries).isGreaterThan(10);
    }

    @Test
    void everyStatPanelHasThresholds() throws IOException {
        int stats = 0;
        for (JsonNode panel : dashboard().path("panels")) {
            if ("stat".equals(panel.path("type").asText())) {
                stats++;
                assertThat(panel.at("/fieldConfig/defaults/thresholds/steps").size()).as(panel.path("title").asText())
                        .isPositive();
            }
        }
        assertThat(stats).isGreaterThanOrEqualTo(5);
    }

    @Test
    void aLostConnectionShowsRedAndAnActiveOneGreen() throws IOException {
        int connections = 0;
        for (JsonNode panel : dashboard().path("panels")) {
            String queries = panel.path("targets").toString();
            if (CONNECTION_GAUGES.stream().noneMatch(queries::contains)) {
                continue;
            }
            connections++;
            String title = panel.path("title").asText();
            JsonNode field = panel.at("/fieldConfig/defaults");
            // "disconnected or off" for the Matter Server: its gauge reads 0 while the relay is not configured too.
            assertThat(shown(field, 0).color()).as(title + " at 0").isEqualTo("red");
            assertThat(shown(field, 0).text()).as(title + " at 0").startsWith("disconnected");
            assertThat(shown(field, 1)).as(title + " at 1").isEqualTo(new Shown("green", "connected"));
        }
        assertThat(connections).isEqualTo(2);
    }

    /** What a stat panel shows for a value: a value mapping's text and colour, or the value in its threshold's. */
    private record Shown(String color, String text) {
    }

    private static Shown shown(JsonNode field, int value) {
        for (JsonNode mapping : field.path("mappings")) {
            JsonNode result = mapping.at("/options/" + value);
            if ("value".equals(mapping.path("type").asText()) && !result.isMissingNode()) {
                return new Shown(result.path("color").asText(), result.path("text").asText());
            }
        }
        String color = "";
        for (JsonNode step : field.at("/thresholds/steps")) {
            if (step.path("value").isNull() || step.path("value").asDouble() <= value) {
                color = step.path("color").asText();
            }
        }
        return new Shown(color, String.valueOf(value));
    }

    @Test
    void theConfigMapCarriesTheSidecarsLabelAndGoesWhereGrafanaLooks() {
        JsonNode plain = configMap(Map.of());
        assertThat(plain.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        assertThat(plain.at("/metadata/namespace").isMissingNode()).isTrue();
        assertThat(plain.at("/metadata/annotations").isMissingNode()).isTrue();

        JsonNode placed = configMap(Map.of("dashboard.namespace", "monitoring",
                "dashboard.labels.grafana_dashboard", "omnii", "dashboard.annotations.grafana_folder", "Omnii"));
        assertThat(placed.at("/metadata/namespace").asText()).isEqualTo("monitoring");
        assertThat(placed.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("omnii");
        assertThat(placed.at("/metadata/labels/app.kubernetes.io~1component").asText()).isEqualTo("server");
        assertThat(placed.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("Omnii");
    }
}
