package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL high availability on the CloudNativePG operator: a Cluster in place of the bundled StatefulSet, the server
 * on its -rw Service with the operator's application Secret. SchemaValidationTest checks the rendered Cluster against
 * the schema of CloudNativePG's CRD (npm @kubernetes-models/cloudnative-pg, generated from the operator's release
 * manifest).
 */
class ChartCloudNativePgTest {

    private static final Path CNPG = Chart.DIR.resolve("ci/cnpg-values.yaml");

    @Test
    void aClusterReplacesTheBundledPostgresqlAndTheServerUsesItsPrimaryAndTheOperatorsSecret() {
        List<JsonNode> objects = Chart.render(CNPG);
        assertThat(Chart.ofKind(objects, "StatefulSet")).extracting(o -> o.at("/metadata/name").asText())
                .containsExactlyInAnyOrder("omnii-omnii-server", "omnii-omnii-server-mosquitto");
        assertThat(Chart.ofKind(objects, "Secret")).extracting(o -> o.at("/metadata/name").asText())
                .as("no database password of the chart's").doesNotContain("omnii-omnii-server-postgresql");

        JsonNode cluster = Chart.one(objects, "Cluster");
        assertThat(cluster.path("apiVersion").asText()).isEqualTo("postgresql.cnpg.io/v1");
        assertThat(cluster.at("/metadata/name").asText()).isEqualTo("omnii-omnii-server-db");
        assertThat(cluster.at("/metadata/labels/app.kubernetes.io~1part-of").asText()).isEqualTo("omnii");
        JsonNode spec = cluster.path("spec");
        assertThat(spec.path("instances").asInt()).isEqualTo(3);
        assertThat(spec.path("imageName").asText()).isEqualTo("ghcr.io/cloudnative-pg/postgresql:17.5");
        assertThat(spec.at("/bootstrap/initdb/database").asText()).isEqualTo("omnii");
        assertThat(spec.at("/bootstrap/initdb/owner").asText()).isEqualTo("omnii");
        assertThat(spec.at("/bootstrap/initdb/secret").isMissingNode()).as("the operator generates the password")
                .isTrue();
        assertThat(spec.at("/storage/size").asText()).isEqualTo("20Gi");
        assertThat(spec.at("/storage/storageClass").asText()).isEqualTo("longhorn");
        assertThat(spec.at("/postgresql/parameters/max_connections").asText()).isEqualTo("200");
        assertThat(spec.at("/resources/limits/memory").asText()).isEqualTo("512Mi");
        assertThat(spec.at("/affinity/enablePodAntiAffinity").asBoolean()).isTrue();
        assertThat(spec.at("/affinity/topologyKey").asText()).isEqualTo("kubernetes.io/hostname");

        JsonNode server = Chart.one(objects, "StatefulSet", "server");
        Map<String, JsonNode> env = Chart.env(server);
        assertThat(env.get("QUARKUS_DATASOURCE_JDBC_URL").path("value").asText())
                .isEqualTo("jdbc:postgresql://omnii-omnii-server-db-rw:5432/omnii");
        for (var credential : Map.of("QUARKUS_DATASOURCE_USERNAME", "username", "QUARKUS_DATASOURCE_PASSWORD",
                "password").entrySet()) {
            JsonNode ref = env.get(credential.getKey()).at("/valueFrom/secretKeyRef");
            assertThat(ref.path("name").asText()).as(credential.getKey()).isEqualTo("omnii-omnii-server-db-app");
            assertThat(ref.path("key").asText()).as(credential.getKey()).isEqualTo(credential.getValue());
        }

        JsonNode monitor = Chart.one(objects, "PodMonitor");
        assertThat(monitor.at("/spec/selector/matchLabels/cnpg.io~1cluster").asText())
                .isEqualTo("omnii-omnii-server-db");
        assertThat(monitor.at("/spec/podMetricsEndpoints/0/port").asText()).isEqualTo("metrics");
        assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    }

    @Test
    void byDefaultTheClusterHasThreeInstancesTheOperatorsImageAndNoMonitor() {
        List<JsonNode> objects = Chart.render(Map.of("postgresql.enabled", "false", "cnpg.enabled", "true",
                "cnpg.clusterName", "fleet-db"));
        JsonNode spec = Chart.one(objects, "Cluster").path("spec");
        assertThat(spec.path("instances").asInt()).isEqualTo(3);
        assertThat(spec.has("imageName")).isFalse();
        assertThat(spec.at("/storage/size").asText()).isEqualTo("5Gi");
        assertThat(spec.at("/storage/storageClass").isMissingNode()).as("the cluster's default class").isTrue();
        assertThat(spec.has("postgresql")).isFalse();
        assertThat(Chart.ofKind(objects, "PodMonitor")).isEmpty();
        assertThat(Chart.one(objects, "Cluster").at("/metadata/name").asText()).isEqualTo("fleet-db");
        assertThat(Chart.env(Chart.one(objects, "StatefulSet", "server")).get("QUARKUS_DATASOURCE_PASSWORD")
                .at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("fleet-db-app");

        // The other modes render no Cluster.
        assertThat(Chart.ofKind(Chart.renderDefaults(), "Cluster")).isEmpty();
        assertThat(Chart.ofKind(Chart.render(Chart.DIR.resolve("ci/external-database-values.yaml")), "Cluster"))
                .isEmpty();
    }

    @Test
    void aClusterBesideAnotherDatabaseIsRefused() {
        Chart.assertRefused(Map.of("cnpg.enabled", "true"), "set postgresql.enabled=false too");
        Chart.assertRefused(Map.of("cnpg.enabled", "true", "postgresql.enabled", "false",
                "database.url", "jdbc:postgresql://elsewhere:5432/omnii"), "database.url and database.existingSecret",
                "cnpg.enabled is true");
        Chart.assertRefused(Map.of("cnpg.enabled", "true", "postgresql.enabled", "false",
                "database.existingSecret", "omnii-database"), "database.existingSecret");
    }

    @Test
    void typosAndMalformedClusterValuesAreRefused() {
        Chart.assertRefused(Map.of("cnpg.instance", "3"), "instance");
        Chart.assertRefused(Map.of("cnpg.instances", "0"), "instances");
        Chart.assertRefused(Map.of("cnpg.storage.storageClassName", "longhorn"), "storageClassName");
        Chart.assertRefused(Map.of("cnpg.clusterName", "Fleet_DB"), "clusterName");
        Chart.assertRefused(Map.of("cnpg.podMonitor.enable", "true"), "enable");
    }
}
