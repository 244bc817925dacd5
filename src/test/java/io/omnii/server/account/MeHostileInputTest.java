package io.omnii.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.omnii.server.testsupport.HostileInputWalk;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link HostileInputWalk} over /me with a personal token: HostileInputTest's break-glass token stops there at 409
 * no_account, before any field is judged.
 */
@QuarkusTest
class MeHostileInputTest extends ServerTest {

    @TestHTTPResource("/")
    URI root;

    @Test
    void noMeOperationAnswersHostileInputWithA5xxOrAnErrorBodyOutsideTheDocumentedShape() throws Exception {
        String token = People.token("hostile", "operator", "customer:smith");
        JsonNodeFactory json = JsonNodeFactory.instance;
        // A valid name and no role or scope, so expiresAt and the other fields are judged on their own.
        Map<String, JsonNode> fields = Map.of("currentPassword", json.textNode(People.PASSWORD),
                "newPassword", json.textNode(People.PASSWORD), "name", json.textNode("walk"),
                "role", MissingNode.getInstance(), "scopeTags", MissingNode.getInstance());
        HostileInputWalk walk = new HostileInputWalk("MeHostileInputTest", root, new HostileInputWalk.Target() {

            @Override
            public boolean covers(String method, String path) {
                return path.equals("/me") || path.startsWith("/me/");
            }

            @Override
            public String baseline(String path, String parameter, String in) {
                return in.equals("path") ? UUID.randomUUID().toString() : null;
            }

            @Override
            public List<Map<String, JsonNode>> bodies(String method, String path) {
                return List.of(fields);
            }

            @Override
            public String bearerToken() {
                return token;
            }

            @Override
            public boolean tolerated(String path, int status, String error) {
                return false;
            }
        });
        HostileInputWalk.Result result = walk.run(walk.seed());
        assertThat(result.statuses()).as("answers by status").containsKey(201);
        assertThat(result.findings()).as("answers to hostile input that are a 5xx or break the error shape").isEmpty();
    }
}
