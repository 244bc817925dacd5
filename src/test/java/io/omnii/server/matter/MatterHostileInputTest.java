package io.omnii.server.matter;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.omnii.server.matter.peer.MatterServerPeer;
import io.omnii.server.matter.peer.ServerInfo;
import io.omnii.server.testsupport.HostileInputWalk;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link HostileInputWalk} over the Matter operations with the relay connected to the protocol-faithful peer, acting
 * as either server, with a commissioned light whose id the node operations take: hostile values go as far as our
 * checks let them, to the Matter Server and back through its answers. Past our checks a request may still fail
 * without being at fault: the only 5xx allowed are those docs/matter.md gives to the Matter Server's or the device's
 * own failures. A 503 is not among them: the connection must survive whatever a client sends.
 */
@QuarkusTest
@TestProfile(MatterPeerProfile.class)
class MatterHostileInputTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** docs/matter.md, Errors: the Matter Server codes 0, 1, 2, 6, 7, 10 and the like, 9, and no answer in time. */
    private static final Map<Integer, Set<String>> NOT_THE_CLIENTS_FAULT = Map.of(
            502, Set.of("matter_server_error", "matter_commissioning_failed", "matter_interview_failed",
                    "matter_version_mismatch", "matter_sdk_error", "matter_update_check_failed"),
            501, Set.of("matter_command_unsupported"),
            504, Set.of("matter_server_timeout"));

    /** The two servers the relay talks to (PROTOCOL.md), as the peer plays them. */
    enum Server {
        MATTERJS(ServerInfo.MATTERJS_1_4_1), PYTHON_MATTER_SERVER(ServerInfo.PYTHON_MATTER_SERVER_8);

        final ServerInfo info;

        Server(ServerInfo info) {
            this.info = info;
        }
    }

    @Inject
    MatterClient client;

    @TestHTTPResource("/")
    URI root;

    MatterServerPeer peer;

    @ParameterizedTest
    @EnumSource(Server.class)
    void noMatterOperationAnswersHostileInputWithA5xxOrAnErrorBodyOutsideTheDocumentedShape(Server server)
            throws Exception {
        peer = MatterPeerProfile.peer();
        peer.start();
        connectAs(server.info);
        BigInteger light = peer.addVirtualLight();
        await().atMost(TIMEOUT).until(() -> admin().get("/matter/nodes/" + light).statusCode() == 200);
        await().atMost(TIMEOUT).until(() -> !admin().get("/matter/commissioning?size=500").then().extract()
                .<List<String>>path("items.state").contains("pending"));
        peer.clearReceived();

        HostileInputWalk walk = new HostileInputWalk("MatterHostileInputTest " + server, root,
                new MatterTarget(light, server.info.matterJs()));
        HostileInputWalk.Result result = walk.run(walk.seed());

        assertThat(peer.received("device_command")).as("device commands that reached the peer").isNotEmpty();
        assertThat(peer.received("write_attribute")).as("writes that reached the peer").isNotEmpty();
        assertThat(peer.received("commission_on_network")).as("commissionings that reached the peer").isNotEmpty();
        assertThat(client.state().connected()).as("still connected to the Matter Server").isTrue();
        assertThat(peer.received()).as("frames sent to the Matter Server that are not a command as PROTOCOL.md"
                + " section 1.1 has it").allSatisfy(frame -> {
                    assertThat(frame.json()).isNotNull();
                    assertThat(frame.json().path("message_id").isTextual()).isTrue();
                    assertThat(frame.json().path("command").isTextual()).isTrue();
                    assertThat(frame.json().path("args").isObject() || frame.json().path("args").isMissingNode())
                            .isTrue();
                });
        assertThat(result.findings()).as("answers to hostile input that are a 5xx the Matter Server's own failures do"
                + " not explain, or break the error shape").isEmpty();
        admin().get("/matter/nodes").then().statusCode(200);
    }

    @AfterEach
    void restorePeer() {
        if (!peer.serverInfo().equals(ServerInfo.MATTERJS_1_4_1)) {
            connectAs(ServerInfo.MATTERJS_1_4_1);
        }
    }

    private void connectAs(ServerInfo info) {
        if (!peer.serverInfo().equals(info)) {
            peer.serverInfo(info);
            peer.dropConnections();
        }
        await().atMost(TIMEOUT).until(() -> client.state().connected()
                && client.state().serverInfo().path("sdk_version").asText().equals(info.sdkVersion()));
    }

    /** The walk's baseline: the light, an attribute it has, and requests that pass our checks. */
    private static final class MatterTarget implements HostileInputWalk.Target {

        private final BigInteger light;
        private final Map<String, JsonNode> credentialIds = new HashMap<>();

        MatterTarget(BigInteger light, boolean namedCredentials) {
            this.light = light;
            // Named credentials only where the server keeps them: elsewhere they are a 409 before anything is sent.
            for (String field : List.of("id", "wifiCredentialsId", "threadDatasetId")) {
                credentialIds.put(field, namedCredentials ? JSON.textNode("default") : MissingNode.getInstance());
            }
        }

        @Override
        public boolean covers(String method, String path) {
            return path.startsWith("/matter/");
        }

        @Override
        public String baseline(String path, String parameter, String in) {
            return switch (parameter) {
                case "nodeId" -> light.toString();
                case "id" -> UUID.randomUUID().toString();
                // 0/40/5, NodeLabel: an attribute the light has, and writable.
                case "endpoint" -> "0";
                case "cluster" -> "40";
                case "attribute" -> "5";
                case "path" -> HostileInputWalk.encode("1/6/0");
                default -> in.equals("path") ? "1" : null;
            };
        }

        @Override
        public List<Map<String, JsonNode>> bodies(String method, String path) {
            Map<String, JsonNode> fields = new HashMap<>(credentialIds);
            switch (path) {
                case "/matter/credentials/thread" -> fields.put("dataset", JSON.textNode("0e080000000000010000"));
                case "/matter/nodes/{nodeId}/commissioning-window" -> {
                    fields.put("timeoutSeconds", JSON.numberNode(300));
                    fields.put("discriminator", JSON.numberNode(3840));
                }
                case "/matter/nodes/{nodeId}/commands" -> {
                    fields.put("clusterId", JSON.numberNode(6));
                    fields.put("commandName", JSON.textNode("Toggle"));
                    fields.put("timedRequestTimeoutMs", JSON.numberNode(1000));
                    fields.put("interactionTimeoutMs", JSON.numberNode(1000));
                }
                case "/matter/nodes/{nodeId}/attributes/{endpoint}/{cluster}/{attribute}" ->
                        fields.put("value", JSON.textNode("Porch"));
                case "/matter/commissioning" -> {
                    // Either a code or a PIN: the fields of each method are walked on a request of that method.
                    Map<String, JsonNode> code = new HashMap<>(fields);
                    code.put("code", JSON.textNode("34970112332"));
                    code.put("networkOnly", JSON.booleanNode(true));
                    for (String pinField : List.of("setupPinCode", "filterType", "filter", "ipAddress")) {
                        code.put(pinField, MissingNode.getInstance());
                    }
                    Map<String, JsonNode> pin = new HashMap<>();
                    pin.put("setupPinCode", JSON.numberNode(20202021));
                    pin.put("filterType", JSON.numberNode(2));
                    pin.put("filter", JSON.numberNode(3840));
                    pin.put("ipAddress", JSON.textNode("fd11::2"));
                    for (String codeField : List.of("code", "networkOnly", "wifiCredentialsId", "threadDatasetId")) {
                        pin.put(codeField, MissingNode.getInstance());
                    }
                    return List.of(code, pin);
                }
                default -> {
                }
            }
            return List.of(fields);
        }

        @Override
        public boolean tolerated(String path, int status, String error) {
            return NOT_THE_CLIENTS_FAULT.getOrDefault(status, Set.of()).contains(error);
        }
    }
}
