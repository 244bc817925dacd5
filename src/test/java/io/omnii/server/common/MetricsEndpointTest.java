package io.omnii.server.common;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnii.server.deploy.Chart;
import io.omnii.server.fleet.FleetMetrics;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What Prometheus scrapes from the management port: every series we promise, from the start. */
@QuarkusTest
class MetricsEndpointTest extends ServerTest {

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Inject
    FleetMetrics fleet;

    private String scrape() {
        return given().get(metrics).then().statusCode(200).extract().asString();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "omnii_instances{state=\"online\"}",
            "omnii_instances{state=\"decommissioned\"}",
            "omnii_mqtt_messages_received_total{kind=\"heartbeat\"}",
            "omnii_mqtt_messages_accepted_total{kind=\"metrics\"}",
            "omnii_mqtt_messages_rejected_total{kind=\"status\",reason=\"malformed_json\"}",
            "omnii_mqtt_messages_rejected_total{kind=\"unknown\",reason=\"bad_topic\"}",
            "omnii_ingest_latency_seconds_bucket{",
            "omnii_ingest_batch_size_bucket{",
            "omnii_ingest_queue_full_total",
            "omnii_ingest_batch_failures_total",
            "omnii_mqtt_messages_rejected_total{kind=\"status\",reason=\"future_timestamp\"}",
            "omnii_enrollments_total",
            "omnii_enrollment_failures_total{reason=\"invalid_code\"}",
            "omnii_enrollment_throttled_total{scope=\"global\"}",
            "omnii_commands_total{command=\"get_status\",state=\"completed\"}",
            "omnii_commands_total{command=\"restart\",state=\"sent\"}",
            "omnii_commands_total{command=\"update\",state=\"expired\"}",
            "omnii_mqtt_connected",
            "omnii_matter_connected",
            "omnii_matter_nodes{availability=\"unavailable\"}",
            "omnii_matter_commissioning_total{outcome=\"failed\"}",
            "omnii_matter_commissioning_duration_seconds_bucket{",
            "omnii_broker_accounts_reconciled_total{action=\"removed\"}",
            "omnii_build_info{version=\"",
            "omnii_periodic_job_runs_total{job=\"presence-sweep\"}",
            "omnii_periodic_job_runs_total{job=\"command-sweep\"}",
            "omnii_periodic_job_runs_total{job=\"metrics-retention\"}",
            "omnii_periodic_job_runs_total{job=\"audit-retention\"}",
            "omnii_periodic_job_runs_total{job=\"session-sweep\"}",
            "omnii_periodic_job_runs_total{job=\"sign-in-throttle-purge\"}",
            "omnii_periodic_job_runs_total{job=\"enrollment-throttle-purge\"}",
            "omnii_periodic_job_runs_total{job=\"matter-event-purge\"}",
            "jvm_memory_used_bytes{",
            "http_server_requests_seconds_count{",
    })
    void theManagementPortExports(String series) {
        Api.admin().get("/instances").then().statusCode(200); // HTTP server metrics appear with the first request
        assertThat(scrape()).contains(series);
    }

    @Test
    void everyOmniiMetricHasHelpText() {
        String scrape = scrape();
        Set<String> families = new TreeSet<>();
        Matcher type = Pattern.compile("(?m)^# TYPE (omnii_\\w+) ").matcher(scrape);
        while (type.find()) {
            families.add(type.group(1));
        }
        assertThat(families).contains("omnii_instances", "omnii_enrollments", "omnii_mqtt_connected");
        // Prometheus shows a missing description as an empty HELP line.
        assertThat(families).allSatisfy(family -> assertThat(scrape)
                .as("HELP text of %s", family)
                .containsPattern("(?m)^# HELP " + family + " \\S"));
    }

    @TestHTTPResource(value = "/health", management = true)
    URL health;

    @Test
    void theProbesTheChartUsesAnswer() {
        for (String probe : List.of("/started", "/live", "/ready")) {
            given().get(health + probe).then().statusCode(200);
        }
    }

    @Test
    void enrollmentsAndTheFleetShowInTheMetrics() {
        double before = value(scrape(), "omnii_enrollments_total");
        Api.enrollInstance("Counted");
        fleet.refresh();
        String after = scrape();
        assertThat(value(after, "omnii_enrollments_total")).isEqualTo(before + 1);
        assertThat(value(after, "omnii_instances{state=\"offline\"}")).isEqualTo(1);
        assertThat(value(after, "omnii_mqtt_connected")).isEqualTo(1);
    }

    @Test
    void theAlertsAndTheDashboardOnlyUseMetricsTheServerExports() {
        String scrape = scrape();
        List<JsonNode> objects = Chart.render(Chart.DIR.resolve("ci/monitoring-values.yaml"));
        StringBuilder queries = new StringBuilder();
        Chart.one(objects, "PrometheusRule").at("/spec/groups/0/rules").forEach(r -> queries.append(r.path("expr").asText()));
        Chart.ofKind(objects, "ConfigMap").forEach(c -> queries.append(c.at("/data/omnii-fleet.json").asText()));
        Matcher names = Pattern.compile("\\b(omnii_[a-z_]+)").matcher(queries);
        int found = 0;
        while (names.find()) {
            found++;
            String name = names.group(1).replaceAll("_(bucket|count|sum)$", "");
            assertThat(scrape).as(name + " is exported").containsPattern("(?m)^" + name + "(_bucket|_count|_sum)?[{ ]");
        }
        assertThat(found).isGreaterThan(10);
    }

    static double value(String scrape, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$", Pattern.MULTILINE)
                .matcher(scrape);
        assertThat(m.find()).as(series + " in the scrape").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
