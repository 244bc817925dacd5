package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard the chart ships, read as Grafana would, and the ConfigMap that carries it. */
class DashboardTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CONNECTION_GAUGES = List.of("omnii_mqtt_connected", "omnii_matter_connected");

    private static JsonNode dashboard() throws IOException {
        return JSON.readTree(Chart.DIR.resolve("dashboards").resolve("omnii-fleet.json").toFile());
    }

    private static JsonNode configMap(Map<String, Object> settings) {
        return Chart.ofKind(Chart.render(settings), "ConfigMap").stream()
                .filter(c -> c.at("/metadata/name").asText().endsWith("-dashboard")).findFirst().orElseThrow();
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
        assertThat(plain.at("/data/omnii-fleet.json").asText()).contains("\"uid\": \"omnii-fleet\"");

        JsonNode placed = configMap(Map.of("dashboard.namespace", "monitoring",
                "dashboard.labels.grafana_dashboard", "omnii", "dashboard.annotations.grafana_folder", "Omnii"));
        assertThat(placed.at("/metadata/namespace").asText()).isEqualTo("monitoring");
        assertThat(placed.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("omnii");
        assertThat(placed.at("/metadata/labels/app.kubernetes.io~1component").asText()).isEqualTo("server");
        assertThat(placed.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("Omnii");
    }
}
