package io.omnii.server.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.HostileInputWalk;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link HostileInputWalk} over every operation of the OpenAPI document, with the Matter relay off (the default test
 * profile): the relayed operations stop at their documented 503s after our own input checks. MatterHostileInputTest
 * walks them with the relay connected.
 */
@QuarkusTest
class HostileInputTest extends ServerTest {

    /** 503s that say the Matter relay is off or its server away, whatever the input (docs/api.md, Matter). */
    private static final Set<String> RELAY_DOWN = Set.of("matter_relay_off", "matter_server_unavailable");

    @TestHTTPResource("/")
    URI root;

    @Test
    void noOperationAnswersHostileInputWithA5xxOrAnErrorBodyOutsideTheDocumentedShape() throws Exception {
        String instanceId = Api.enrollInstance("Hostile");
        JsonNodeFactory json = JsonNodeFactory.instance;
        Map<String, JsonNode> fields = Map.of("command", json.textNode("get_status"),
                "status", json.textNode("online"), "instanceIds", json.arrayNode().add(instanceId),
                // Passwords long enough that users are created and the other fields judged where they are used.
                "password", json.textNode(People.PASSWORD), "newPassword", json.textNode(People.PASSWORD));
        HostileInputWalk walk = new HostileInputWalk("HostileInputTest", root, new HostileInputWalk.Target() {

            @Override
            public String baseline(String path, String parameter, String in) {
                if (!in.equals("path")) {
                    return null;
                }
                // An instance that exists where the path is an instance's, so the request goes as deep as it can.
                return parameter.equals("id") && path.startsWith("/instances/") ? instanceId
                        : parameter.equals("id") ? UUID.randomUUID().toString() : "1";
            }

            @Override
            public List<Map<String, JsonNode>> bodies(String method, String path) {
                return List.of(fields);
            }

            @Override
            public boolean tolerated(String path, int status, String error) {
                return status == 503 && path.startsWith("/matter/") && RELAY_DOWN.contains(error);
            }
        });
        HostileInputWalk.Result result = walk.run(walk.seed());
        assertThat(result.sent()).as("requests sent").isGreaterThan(3_000);
        assertThat(result.findings()).as("answers to hostile input that are a 5xx or break the error shape").isEmpty();
    }
}
