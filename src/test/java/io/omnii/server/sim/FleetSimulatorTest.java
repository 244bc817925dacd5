package io.omnii.server.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnii.server.testsupport.LocalRun;
import io.omnii.server.testsupport.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the simulator finds the server scripts/run.sh runs, and what it says when it cannot. */
class FleetSimulatorTest {

    @TempDir
    Path localRun;

    @Test
    void serverIsWhereTheLocalRunWasToldToPutIt() throws Exception {
        assertThat(FleetSimulator.serverUrl(Map.of(), Map.of(), localRun)).isEqualTo("http://localhost:3001");
        assertThat(FleetSimulator.serverUrl(Map.of(), Map.of(LocalRun.HTTP_PORT, "3101"), localRun))
                .isEqualTo("http://localhost:3101");
        assertThat(FleetSimulator.serverUrl(Map.of("server", "http://box:8080/"), Map.of(LocalRun.HTTP_PORT, "3101"),
                localRun)).isEqualTo("http://box:8080");
    }

    @Test
    void serverIsWhereTheLastLocalRunWasWhenNoVariableSays() throws Exception {
        LocalRun.recordPorts(localRun, Map.of("api", 3202, "mqtt", 1999));

        assertThat(FleetSimulator.serverUrl(Map.of(), Map.of(), localRun)).isEqualTo("http://localhost:3202");
        assertThat(FleetSimulator.serverUrl(Map.of(), Map.of(LocalRun.HTTP_PORT, "3101"), localRun))
                .isEqualTo("http://localhost:3101");
    }

    @Test
    void tokenDefaultsToTheOneTheLocalRunKeeps() throws Exception {
        assertThat(FleetSimulator.token(Map.of(), Map.of(), localRun)).isEmpty();
        String kept = LocalRun.adminToken(Map.of(), localRun);

        assertThat(FleetSimulator.token(Map.of(), Map.of(), localRun)).contains(kept);
        assertThat(FleetSimulator.token(Map.of(), Map.of(LocalRun.ADMIN_TOKEN, "from-env"), localRun))
                .contains("from-env");
        assertThat(FleetSimulator.token(Map.of("token", "given"), Map.of(), localRun)).contains("given");
    }

    @Test
    void brokerFollowsTheLocalRunsMqttPortVariable() {
        assertThat(FleetSimulator.brokerOverride(Map.of(), Map.of())).isEmpty();
        assertThat(FleetSimulator.brokerOverride(Map.of(), Map.of(LocalRun.MQTT_PORT, "1983")))
                .contains("127.0.0.1:1983");
        assertThat(FleetSimulator.brokerOverride(Map.of("broker", "mqtt://box:1884"), Map.of(LocalRun.MQTT_PORT,
                "1983"))).contains("box:1884");
    }

    @Test
    void unreachableServerIsNamedInTheError() {
        String url = "http://localhost:" + Ports.free() + "/instances";
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).build();

        assertThatThrownBy(() -> FleetSimulator.send(HttpClient.newHttpClient(), request))
                .isInstanceOf(FleetSimulator.Unreachable.class)
                .hasMessageContaining("cannot reach the server at " + url)
                .hasMessageContaining("ConnectException");
    }

    @Test
    void unreachableBrokerIsNamedInTheError() {
        int port = Ports.free();

        assertThatThrownBy(() -> FleetSimulator.connectMqtt("127.0.0.1", port, "simulator-test"))
                .isInstanceOf(FleetSimulator.Unreachable.class)
                .hasMessageContaining("cannot reach the MQTT broker at 127.0.0.1:" + port);
    }
}
