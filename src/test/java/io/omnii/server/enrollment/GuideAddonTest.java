package io.omnii.server.enrollment;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import io.omnii.server.fleet.PresenceSweep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The add-on guide's own Python example (src/test/resources/addon/omnii_addon.py, verbatim) enrolls with a code
 * made through the API and reaches the broker with what the server handed it. Needs python3 with paho-mqtt 1.6
 * and requests, which scripts/test.sh installs from the distribution.
 */
@QuarkusTest
class GuideAddonTest extends ServerTest {

    private static final Path ADDON = Path.of("src/test/resources/addon");
    private static final Path SEED = Path.of("../shared/seeds/004_ea88f672796bc4f8.txt");

    @TestHTTPResource("/")
    URL server;

    @Inject
    Vertx vertx;

    @Inject
    PresenceSweep presence;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    @Test
    void theGuidesExampleAddonEnrollsAndConnectsUnmodified() throws Exception {
        BlockingQueue<String> statusTopics = new LinkedBlockingQueue<>();
        MqttClient observer = MqttClient.create(vertx, new MqttClientOptions().setClientId("guide-test-observer"));
        observer.publishHandler(m -> statusTopics.add(m.topicName() + " " + m.payload().toString(StandardCharsets.UTF_8)));
        observer.connect(mqttPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        observer.subscribe("ha-instances/+/status", MqttQoS.AT_LEAST_ONCE.value())
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            String code = Api.newCode();
            String serverUrl = server.toString().replaceAll("/$", "");
            Process python = new ProcessBuilder("/usr/bin/python3", ADDON.resolve("run_addon.py").toString(), serverUrl,
                    code).redirectErrorStream(true).start();
            assertThat(python.waitFor(60, TimeUnit.SECONDS)).as("add-on finished").isTrue();
            String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(python.exitValue()).as(output).isZero();

            String resultLine = output.lines().filter(l -> l.startsWith("{\"started\"")).findFirst().orElseThrow();
            JsonNode result = new ObjectMapper().readTree(resultLine);
            assertThat(output).contains("Enrolled successfully").contains("Connected to MQTT broker");
            String instanceId = result.at("/enrollment/instanceId").asText();
            admin().get("/instances/" + instanceId).then().statusCode(200).body("name", equalTo("Home Assistant - Main"));

            // The example published its "online" status to the topic the server gave it.
            String status = statusTopics.poll(10, TimeUnit.SECONDS);
            assertThat(status).startsWith("ha-instances/" + instanceId + "/status ").contains("\"online\"");
        } finally {
            observer.disconnect();
        }
    }

    @Test
    void theGuidesExampleShowsOnlineAnswersGetStatusAndGoesOfflineWhenStopped() throws Exception {
        Process python = new ProcessBuilder("/usr/bin/python3", ADDON.resolve("run_addon_session.py").toString(),
                server.toString().replaceAll("/$", ""), Api.newCode()).redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> new java.io.BufferedReader(new java.io.InputStreamReader(
                python.getInputStream(), StandardCharsets.UTF_8)).lines().forEach(lines::add));
        reader.start();
        try {
            String ready = awaitLine(lines, "READY ");
            String id = new ObjectMapper().readTree(ready.substring(6)).get("instanceId").asText();
            // The example publishes "online" with its version on connect.
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> admin().get("/instances/" + id)
                    .then().body("status", equalTo("online")).body("version", equalTo("2024.1.0")));

            String commandId = admin().body("{\"command\": \"get_status\"}").post("/instances/" + id + "/commands")
                    .then().statusCode(202).extract().path("id");
            awaitLine(lines, "Received command: get_status");
            // Its answer is a fresh status message, which completes the command.
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> admin().get("/commands/" + commandId)
                    .then().body("state", equalTo("completed")));

            python.getOutputStream().write("stop\n".getBytes(StandardCharsets.UTF_8));
            python.getOutputStream().flush();
            awaitLine(lines, "STOPPED");
            assertThat(python.waitFor(10, TimeUnit.SECONDS)).isTrue();
            clock.advance(Duration.ofSeconds(91));
            presence.sweep();
            admin().get("/instances/" + id).then().body("status", equalTo("offline"));
            admin().get("/instances/" + id + "/events").then().body("items[0].reason", equalTo("heartbeat_timeout"));
        } finally {
            python.destroy();
        }
    }

    private static String awaitLine(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }
        throw new AssertionError("the add-on never printed '" + prefix + "'; it printed " + seen);
    }

    @Test
    void theExampleIsTheGuidesTextVerbatim() throws Exception {
        assumeTrue(Files.exists(SEED), "the seed documents are not beside this checkout");
        String guide = Files.readString(SEED);
        int start = guide.indexOf("```python\n", guide.indexOf("## Complete Example Implementation")) + 10;
        String example = guide.substring(start, guide.indexOf("```", start));
        assertThat(Files.readString(ADDON.resolve("omnii_addon.py"))).isEqualTo(example);
    }
}
