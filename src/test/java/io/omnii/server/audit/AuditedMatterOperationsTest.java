package io.omnii.server.audit;

import static io.omnii.server.audit.AuditedOperations.exactlyOne;
import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnii.server.matter.MatterClient;
import io.omnii.server.matter.MatterPeerProfile;
import io.omnii.server.matter.peer.MatterServerPeer;
import io.omnii.server.testsupport.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Matter operations change no row of ours: each records its outcome in a transaction of its own once the Matter
 * Server answered, success or failure, and nothing when it never reached the server.
 */
@QuarkusTest
@TestProfile(MatterPeerProfile.class)
class AuditedMatterOperationsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String WIFI_PASSWORD = "correct horse battery staple";
    private static final String THREAD_DATASET = "0e080000000000010000000300001435060004001fffe0";

    @Inject
    MatterClient client;

    @Inject
    AuditTable table;

    MatterServerPeer peer;
    BigInteger light;
    String node;

    @BeforeEach
    void aLight() {
        peer = MatterPeerProfile.peer();
        peer.start();
        await().atMost(TIMEOUT).until(() -> client.state().connected());
        light = peer.addVirtualLight();
        node = "/matter/nodes/" + light;
        await().atMost(TIMEOUT).until(() -> admin().get(node).statusCode() == 200);
    }

    @AfterEach
    void restorePeer() {
        peer.replyDelay("interview_node", Duration.ZERO);
    }

    private JsonNode recordsOne(String operation, int status, Supplier<Response> request) {
        long head = table.head();
        request.get().then().statusCode(status);
        JsonNode entry = exactlyOne(table, head, operation);
        assertThat(entry.path("actor_kind").asText()).isEqualTo("break_glass");
        return entry;
    }

    private JsonNode succeeds(String operation, int status, Supplier<Response> request) {
        JsonNode entry = recordsOne(operation, status, request);
        assertThat(entry.path("outcome").asText()).isEqualTo("success");
        return entry;
    }

    @Test
    void eachNodeOperationThatSucceedsWritesOneEntry() {
        JsonNode entry = succeeds("POST /matter/nodes/{nodeId}/interview", 204, () -> admin().post(node + "/interview"));
        assertThat(entry.path("target_type").asText()).isEqualTo("matter_node");
        assertThat(entry.path("target_id").asText()).isEqualTo(light.toString());
        succeeds("POST /matter/nodes/{nodeId}/ping", 200, () -> admin().post(node + "/ping"));
        entry = succeeds("POST /matter/nodes/{nodeId}/commands", 200, () -> admin()
                .body(Map.of("endpointId", 1, "clusterId", 6, "commandName", "Toggle")).post(node + "/commands"));
        assertThat(entry.path("detail").path("commandName").asText()).isEqualTo("Toggle");
        entry = succeeds("PUT /matter/nodes/{nodeId}/attributes/{endpoint}/{cluster}/{attribute}", 200,
                () -> admin().body(Map.of("value", "Porch")).put(node + "/attributes/0/40/5"));
        assertThat(entry.path("detail").path("path").asText()).isEqualTo("0/40/5");
        assertThat(entry.path("detail").has("value")).isFalse();
        long head = table.head();
        Response opened = admin().body(Map.of("timeoutSeconds", 600)).post(node + "/commissioning-window");
        opened.then().statusCode(200);
        entry = exactlyOne(table, head, "POST /matter/nodes/{nodeId}/commissioning-window");
        assertThat(entry.path("detail").path("timeoutSeconds").asInt()).isEqualTo(600);
        assertThat(entry.toString()).doesNotContain(opened.jsonPath().getString("setupManualCode"))
                .doesNotContain(opened.jsonPath().getString("setupQrCode"));
        succeeds("DELETE /matter/nodes/{nodeId}", 204, () -> admin().delete(node));
    }

    @Test
    void aNodeOperationTheMatterServerRefusesWritesOneFailure() {
        peer.failNext("ping_node", 3, "node not ready");
        JsonNode entry = recordsOne("POST /matter/nodes/{nodeId}/ping", 409, () -> admin().post(node + "/ping"));
        assertThat(entry.path("outcome").asText()).isEqualTo("failure");
        assertThat(entry.path("detail").path("error").asText()).isEqualTo("matter_node_not_ready");

        entry = recordsOne("PUT /matter/nodes/{nodeId}/attributes/{endpoint}/{cluster}/{attribute}", 400,
                () -> admin().body(Map.of("value", 1)).put(node + "/attributes/0/40/999"));
        assertThat(entry.path("outcome").asText()).isEqualTo("failure");
        assertThat(entry.path("detail").path("error").asText()).isEqualTo("matter_write_refused");

        peer.replyDelay("interview_node", Duration.ofSeconds(10)); // no answer in time: it may still have acted
        entry = recordsOne("POST /matter/nodes/{nodeId}/interview", 504, () -> admin().post(node + "/interview"));
        assertThat(entry.path("outcome").asText()).isEqualTo("failure");
        assertThat(entry.path("detail").path("error").asText()).isEqualTo("matter_server_timeout");
    }

    @Test
    void anOperationThatNeverReachedTheMatterServerWritesNone() {
        long head = table.head();
        admin().post("/matter/nodes/424242/ping").then().statusCode(404);
        admin().body(Map.of("endpointId", 1, "clusterId", 6)).post(node + "/commands").then().statusCode(400);
        admin().body(Map.of("dataset", "zz")).put("/matter/credentials/thread").then().statusCode(400);
        admin().body(Map.of("code", "12345")).post("/matter/commissioning").then().statusCode(400);
        assertThat(table.entriesAfter(head)).isEmpty();
    }

    @Test
    void credentialsAndCommissioningAreRecordedWithoutTheirSecrets() {
        long start = table.head();
        try (LogCapture log = LogCapture.install()) {
            JsonNode wifi = succeeds("PUT /matter/credentials/wifi", 204, () -> admin()
                    .body(Map.of("ssid", "Home", "password", WIFI_PASSWORD)).put("/matter/credentials/wifi"));
            assertThat(wifi.path("target_type").asText()).isEqualTo("matter_credentials");
            assertThat(wifi.path("detail").path("ssid").asText()).isEqualTo("Home");
            succeeds("PUT /matter/credentials/thread", 204, () -> admin().body(Map.of("dataset", THREAD_DATASET))
                    .put("/matter/credentials/thread"));
            long head = table.head();
            String id = admin().body(Map.of("code", "34970112332")).post("/matter/commissioning").then()
                    .statusCode(202).extract().path("id");
            JsonNode commission = exactlyOne(table, head, "POST /matter/commissioning");
            assertThat(commission.path("target_id").asText()).isEqualTo(id);
            assertThat(commission.path("detail").path("method").asText()).isEqualTo("code");
            await().atMost(TIMEOUT).until(() -> !"pending".equals(
                    admin().get("/matter/commissioning/" + id).then().extract().path("state")));
            assertThat(log.lines()).isNotEmpty().noneMatch(l -> l.contains(WIFI_PASSWORD) || l.contains(THREAD_DATASET)
                    || l.contains("34970112332") || l.contains(Api.ADMIN_TOKEN));
        }
        assertThat(table.entriesAfter(start)).hasSize(3).extracting(JsonNode::toString)
                .noneMatch(e -> e.contains(WIFI_PASSWORD) || e.contains(THREAD_DATASET) || e.contains("34970112332")
                        || e.contains(Api.ADMIN_TOKEN));
    }
}
