package io.omnii.server.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.RoleTable;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The role matrix of docs/security.md against the running API: every operation of /q/openapi must have a row, every
 * row must name an operation, and each operation, called with harmless dummy values as nobody and as a viewer, an
 * operator and an admin (real users with personal tokens), must answer 401 to nobody, 403 to a role below its least,
 * and neither to a role at or above it. An endpoint that declares no role is refused to everyone (403), so it fails
 * here too.
 */
@QuarkusTest
class RoleMatrixTest extends ServerTest {

    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");
    private static final List<String> ROLES = RoleTable.ROLES;

    @Test
    void everyOperationAnswersEachRoleAsTheMatrixInSecurityMdSays() throws IOException {
        Map<String, String> matrix = RoleTable.read("### Role matrix");
        Map<String, Boolean> operations = operations();

        Set<String> missing = new TreeSet<>(operations.keySet());
        missing.removeAll(matrix.keySet());
        Set<String> stale = new TreeSet<>(matrix.keySet());
        stale.removeAll(operations.keySet());
        assertThat(missing).as("operations without a row in the role matrix of docs/security.md").isEmpty();
        assertThat(stale).as("rows of the role matrix in docs/security.md that name no operation").isEmpty();

        Map<String, String> tokens = new LinkedHashMap<>();
        for (String role : ROLES) {
            tokens.put(role, People.token("matrix-" + role, role));
        }
        List<String> wrong = new ArrayList<>();
        matrix.forEach((operation, least) -> {
            String method = operation.substring(0, operation.indexOf(' '));
            String path = RoleTable.dummyPath(operation.substring(operation.indexOf(' ') + 1));
            boolean body = operations.get(operation);
            int anonymous = call(given(), method, path, body);
            if (!least.equals("public") && anonymous != 401) {
                wrong.add(operation + " as nobody answered " + anonymous + ", not 401");
            }
            for (String role : ROLES) {
                int status = call(People.bearer(tokens.get(role)), method, path, body);
                boolean allowed = RoleTable.allows(least, role);
                if (allowed && (status == 401 || status == 403)) {
                    wrong.add(operation + " as " + role + " answered " + status + ", though " + least + " may");
                } else if (!allowed && status != 403) {
                    wrong.add(operation + " as " + role + " answered " + status + ", not 403 (least: " + least + ")");
                }
            }
        });
        assertThat(wrong).as("answers that differ from the matrix").isEmpty();
        assertThat(matrix.values()).as("the matrix covers every role").contains("public", "viewer", "operator", "admin");
    }

    private static int call(RequestSpecification request, String method, String path, boolean body) {
        RequestSpecification r = request.redirects().follow(false);
        if (body) {
            r.contentType(ContentType.JSON).body("{}");
        }
        return r.request(method, path).statusCode();
    }

    /** "METHOD /path" of every operation in /q/openapi, to whether it takes a JSON body. */
    private static Map<String, Boolean> operations() throws IOException {
        JsonNode api = new ObjectMapper().readTree(given().queryParam("format", "json").get("/q/openapi").then()
                .statusCode(200).extract().asString());
        Map<String, Boolean> operations = new TreeMap<>();
        api.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (METHODS.contains(op.getKey())) {
                operations.put(op.getKey().toUpperCase() + " " + path.getKey(),
                        op.getValue().path("requestBody").path("content").has("application/json"));
            }
        }));
        return operations;
    }
}
