package io.omnii.server.matter;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omnii.server.matter.peer.CommissioningParameters;
import io.omnii.server.matter.peer.MatterServerPeer;
import io.omnii.server.matter.peer.ServerInfo;
import io.omnii.server.matter.peer.Wire;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Node operations and credentials through the REST API, relayed to the protocol-faithful peer. */
@QuarkusTest
@TestProfile(MatterPeerProfile.class)
class MatterNodeOperationsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Inject
    MatterClient client;

    MatterServerPeer peer;
    BigInteger light;

    @BeforeEach
    void aLight() {
        peer = MatterPeerProfile.peer();
        peer.start();
        await().atMost(TIMEOUT).until(() -> client.state().connected());
        light = peer.addVirtualLight();
        await().atMost(TIMEOUT).until(() -> admin().get("/matter/nodes/" + light).statusCode() == 200);
        peer.clearReceived();
    }

    @AfterEach
    void restorePeer() {
        for (String command : List.of("interview_node", "ping_node", "device_command")) {
            peer.replyDelay(command, Duration.ZERO);
        }
        peer.answer("write_attribute", null);
        if (!peer.serverInfo().equals(ServerInfo.MATTERJS_1_4_1)) {
            peer.serverInfo(ServerInfo.MATTERJS_1_4_1);
            peer.dropConnections();
            await().atMost(TIMEOUT).until(() -> client.state().connected()
                    && client.state().serverInfo().path("schema_version").asInt() == 13);
        }
    }

    @Test
    void anInterviewIsRelayedForTheNode() {
        admin().post("/matter/nodes/" + light + "/interview").then().statusCode(204);
        assertThat(peer.lastArgs("interview_node").path("node_id").bigIntegerValue()).isEqualTo(light);
    }

    @Test
    void removingANodeTakesItOffTheFabricAndOutOfTheInventoryAtOnce() {
        admin().delete("/matter/nodes/" + light).then().statusCode(204);
        admin().get("/matter/nodes/" + light).then().statusCode(404);
        assertThat(peer.node(light)).isNull();
    }

    @Test
    void pingAndAddressesComeFromTheMatterServer() {
        admin().post("/matter/nodes/" + light + "/ping").then().statusCode(200)
                .body("'10.56.0.2'", equalTo(true));
        admin().get("/matter/nodes/" + light + "/ip-addresses").then().statusCode(200)
                .body("addresses", hasItem("fd11::2"))
                .body("addresses", not(hasItem(containsString("%"))));
        admin().get("/matter/nodes/" + light + "/ip-addresses?scoped=true").then().statusCode(200)
                .body("addresses", hasItem(containsString("%")));
    }

    @Test
    void openingACommissioningWindowReturnsTheCodesToShare() {
        CommissioningParameters expected = CommissioningParameters.VIRTUAL_LIGHT;
        admin().body(Map.of("timeoutSeconds", 600)).post("/matter/nodes/" + light + "/commissioning-window")
                .then().statusCode(200)
                .body("setupPinCode", equalTo((int) expected.setupPinCode()))
                .body("setupManualCode", equalTo(expected.setupManualCode()))
                .body("setupQrCode", equalTo(expected.setupQrCode()));
        assertThat(peer.lastArgs("open_commissioning_window").path("timeout").asInt()).isEqualTo(600);
    }

    @Test
    void aDeviceCommandSwitchesTheLightAndTheInventoryFollows() {
        boolean was = peer.node(light).path("attributes").path("1/6/0").asBoolean();
        admin().body(Map.of("endpointId", 1, "clusterId", 6, "commandName", "Toggle"))
                .post("/matter/nodes/" + light + "/commands").then().statusCode(200);
        JsonNode args = peer.lastArgs("device_command");
        assertThat(args.path("payload").isObject()).isTrue();
        assertThat(args.path("command_name").asText()).isEqualTo("Toggle");
        await().atMost(TIMEOUT).untilAsserted(() -> admin().get("/matter/nodes/" + light).then()
                .body("attributes.'1/6/0'", equalTo(!was)));
    }

    @Test
    void attributesAreReadFromTheDeviceAndWritten() {
        admin().get("/matter/nodes/" + light + "/attributes?path=0/40/1&path=1/6/*").then().statusCode(200)
                .body("'0/40/1'", equalTo(peer.node(light).path("attributes").path("0/40/1").asText()))
                .body("'1/6/0'", equalTo(peer.node(light).path("attributes").path("1/6/0").asBoolean()));
        admin().body(Map.of("value", "Porch")).put("/matter/nodes/" + light + "/attributes/0/40/5").then()
                .statusCode(200).body("[0].status", equalTo(0)).body("[0].clusterId", equalTo(40));
        await().atMost(TIMEOUT).untilAsserted(() -> admin().get("/matter/nodes/" + light).then()
                .body("nodeLabel", equalTo("Porch")));
    }

    /** An attribute the device lacks (UNSUPPORTED_ATTRIBUTE, 134) is the request's fault, not the device's failure. */
    @Test
    void aWriteToAnAttributeTheDeviceLacksIs400() {
        admin().body(Map.of("value", 1)).put("/matter/nodes/" + light + "/attributes/0/40/999").then()
                .statusCode(400).body("error", equalTo("matter_write_refused"))
                .body("message", containsString("0/40/999 status 134 UNSUPPORTED_ATTRIBUTE"));
    }

    /** A device that refuses the value is a 400 like our own checks; one that fails (FAILURE, BUSY) a 502. */
    @ParameterizedTest(name = "write status {0} is HTTP {1}")
    @CsvSource({ "135, 400", "136, 400", "141, 400", "198, 400", "1, 502", "156, 502", "148, 502" })
    void aWriteTheDeviceRefusesIs400ForTheRequestAnd502ForTheDevice(int status, int http) {
        peer.answer("write_attribute", args -> {
            ObjectNode result = Wire.MAPPER.createObjectNode();
            result.putObject("Path").put("EndpointId", 0).put("ClusterId", 40).put("AttributeId", 5);
            return Wire.MAPPER.createArrayNode().add(result.put("Status", status));
        });
        admin().body(Map.of("value", "x".repeat(33))).put("/matter/nodes/" + light + "/attributes/0/40/5").then()
                .statusCode(http).body("error", equalTo("matter_write_refused"))
                .body("message", containsString("0/40/5 status " + status));
    }

    /**
     * Jackson reads 1e400 as Infinity (sent on as the string "Infinity") and an escaped lone surrogate as a char that
     * goes out as "?": what the Matter Server got would not be what the client sent.
     */
    @Test
    void valuesThatCannotBeRelayedAsSentAre400AndNeverReachTheMatterServer() {
        String write = "/matter/nodes/" + light + "/attributes/0/40/5";
        notRelayable(admin().body("{\"value\": 1e400}").put(write), "value", "range of a double");
        notRelayable(admin().body("{\"value\": [\"Porch\\ud800\"]}").put(write), "value.0", "unpaired surrogate");
        admin().body("{\"value\": {\"\\udc00\": 1}}").put(write).then().statusCode(400); // Jackson's own refusal
        notRelayable(admin().body("{\"endpointId\": 1, \"clusterId\": 8, \"commandName\": \"MoveToLevel\","
                + " \"payload\": {\"level\": -1e400}}").post("/matter/nodes/" + light + "/commands"),
                "payload.level", "range of a double");
        notRelayable(admin().body("{\"ssid\": \"Home\\ud800\", \"password\": \"\"}").put("/matter/credentials/wifi"),
                "ssid", "unpaired surrogate");
        notRelayable(admin().body("{\"ssid\": \"Home\", \"password\": \"pass\\udc00word\"}")
                .put("/matter/credentials/wifi"), "password", "unpaired surrogate");
        assertThat(peer.received()).isEmpty();
        // A pair is one character, relayed as it came.
        admin().body("{\"value\": \"Porch \\ud83d\\ude00\"}").put(write).then().statusCode(200);
        assertThat(peer.lastArgs("write_attribute").path("value").asText()).isEqualTo("Porch \ud83d\ude00");
    }

    private static void notRelayable(Response answer, String field, String why) {
        answer.then().statusCode(400).body("error", equalTo("validation_failed"))
                .body("violations[0].field", equalTo(field)).body("violations[0].message", containsString(why));
    }

    @Test
    void badArgumentsAre400AndNeverReachTheMatterServer() {
        admin().get("/matter/nodes/" + light + "/attributes?path=0/40").then().statusCode(400)
                .body("violations[0].field", equalTo("path"));
        admin().get("/matter/nodes/" + light + "/attributes").then().statusCode(400);
        admin().body(Map.of("endpointId", 1, "clusterId", 6)).post("/matter/nodes/" + light + "/commands")
                .then().statusCode(400).body("violations.field", hasItem("commandName"));
        admin().body(Map.of("endpointId", 1, "clusterId", 6, "commandName", "On", "payload", List.of(1)))
                .post("/matter/nodes/" + light + "/commands").then().statusCode(400)
                .body("violations.field", hasItem("payload"));
        admin().body(Map.of("timeoutSeconds", 60)).post("/matter/nodes/" + light + "/commissioning-window")
                .then().statusCode(400).body("violations.field", hasItem("timeoutSeconds"));
        admin().body(Map.of()).put("/matter/nodes/" + light + "/attributes/0/40/5").then().statusCode(400);
        admin().post("/matter/nodes/not-a-node/interview").then().statusCode(404);
        admin().post("/matter/nodes/18446744073709551616/interview").then().statusCode(404);
        assertThat(peer.received()).isEmpty();
    }

    /** python-matter-server answers NodeNotReady (3, a 409) for a node it never had: the inventory answers first. */
    @Test
    void aNodeTheInventoryDoesNotKnowIs404AndNothingIsRelayed() {
        peer.serverInfo(ServerInfo.PYTHON_MATTER_SERVER_8);
        peer.dropConnections();
        await().atMost(TIMEOUT).until(() -> client.state().connected()
                && client.state().serverInfo().path("schema_version").asInt() == 11);
        peer.clearReceived();
        admin().body(Map.of("endpointId", 1, "clusterId", 6, "commandName", "On"))
                .post("/matter/nodes/987654/commands").then().statusCode(404).body("error", equalTo("not_found"));
        admin().get("/matter/nodes/987654/attributes?path=1/6/0").then().statusCode(404);
        admin().post("/matter/nodes/987654/interview").then().statusCode(404).body("error", equalTo("not_found"));
        admin().get("/matter/nodes/987654/events").then().statusCode(404).body("error", equalTo("not_found"));
        assertThat(peer.received()).isEmpty();
        admin().post("/matter/nodes/" + light + "/ping").then().statusCode(200);
    }

    @ParameterizedTest(name = "error {0} is HTTP {1} {2}")
    @CsvSource({
            "0, 502, matter_server_error",
            "1, 502, matter_commissioning_failed",
            "2, 502, matter_interview_failed",
            "3, 409, matter_node_not_ready",
            "4, 409, matter_node_not_resolving",
            "5, 404, not_found",
            "6, 502, matter_version_mismatch",
            "7, 502, matter_sdk_error",
            "8, 400, matter_invalid_arguments",
            "9, 501, matter_command_unsupported",
            "10, 502, matter_update_check_failed",
            "11, 409, matter_update_failed",
            "100, 409, matter_icd_multi_admin",
            "101, 502, matter_server_error",
            "42, 502, matter_server_error",
    })
    void everyMatterErrorCodeMapsAsDocumented(int code, int status, String error) {
        peer.failNext("ping_node", code, "details of error " + code);
        admin().post("/matter/nodes/" + light + "/ping").then().statusCode(status)
                .body("error", equalTo(error))
                .body("message", containsString("details of error " + code));
    }

    @Test
    void aCommandWithoutAnswerTimesOut() {
        peer.replyDelay("interview_node", Duration.ofSeconds(10));
        long start = System.nanoTime();
        admin().post("/matter/nodes/" + light + "/interview").then().statusCode(504)
                .body("error", equalTo("matter_server_timeout"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
    }

    @Test
    void aCommandPendingWhenTheConnectionDropsFailsAtOnce() throws Exception {
        peer.replyDelay("ping_node", Duration.ofSeconds(30));
        CompletableFuture<Response> ping = CompletableFuture.supplyAsync(
                () -> admin().post("/matter/nodes/" + light + "/ping"));
        await().atMost(TIMEOUT).until(() -> !peer.received("ping_node").isEmpty());
        peer.dropConnections();
        Response answer = ping.get(3, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.jsonPath().getString("error")).isEqualTo("matter_server_unavailable");
    }

    @Test
    void wifiCredentialsReachTheMatterServerAndAreNeverEchoed() {
        admin().body(Map.of("ssid", "Home", "password", "correct horse battery")).put("/matter/credentials/wifi")
                .then().statusCode(204);
        JsonNode args = peer.lastArgs("set_wifi_credentials");
        assertThat(args.path("ssid").asText()).isEqualTo("Home");
        assertThat(args.path("credentials").asText()).isEqualTo("correct horse battery");
        assertThat(args.has("id")).isFalse();
        await().atMost(TIMEOUT).untilAsserted(() -> admin().get("/matter/server").then()
                .body("info.wifi_credentials_set", equalTo(true)));
        String refused = admin().body(Map.of("ssid", "", "password", "correct horse battery"))
                .put("/matter/credentials/wifi").then().statusCode(400).extract().asString();
        assertThat(refused).doesNotContain("horse");
        assertThat(admin().get("/matter/server").asString()).doesNotContain("horse");
    }

    @Test
    void aThreadDatasetMustBeHex() {
        admin().body(Map.of("dataset", "0e08000000000001000")).put("/matter/credentials/thread").then()
                .statusCode(400).body("violations[0].field", equalTo("dataset"));
        admin().body(Map.of("dataset", "zz")).put("/matter/credentials/thread").then().statusCode(400);
        assertThat(peer.received("set_thread_dataset")).isEmpty();
        String dataset = "0e080000000000010000000300001435060004001fffe0";
        admin().body(Map.of("dataset", dataset)).put("/matter/credentials/thread").then().statusCode(204);
        assertThat(peer.lastArgs("set_thread_dataset").path("dataset").asText()).isEqualTo(dataset);
    }

    @Test
    void namedCredentialsNeedASchema12MatterjsServer() {
        admin().body(Map.of("ssid", "Home", "password", "pw", "id", "upstairs")).put("/matter/credentials/wifi")
                .then().statusCode(204);
        assertThat(peer.lastArgs("set_wifi_credentials").path("id").asText()).isEqualTo("upstairs");

        peer.serverInfo(ServerInfo.PYTHON_MATTER_SERVER_8);
        peer.dropConnections();
        await().atMost(TIMEOUT).until(() -> client.state().connected()
                && client.state().serverInfo().path("schema_version").asInt() == 11);
        peer.clearReceived();
        admin().body(Map.of("ssid", "Home", "password", "pw", "id", "upstairs")).put("/matter/credentials/wifi")
                .then().statusCode(409).body("error", equalTo("matter_feature_unsupported"));
        admin().body(Map.of("code", "34970112332", "threadDatasetId", "main")).post("/matter/commissioning")
                .then().statusCode(409);
        assertThat(peer.received()).isEmpty();
    }
}
