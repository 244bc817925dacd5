package io.omnii.server.fleet;

import static io.omnii.server.testsupport.ScopedFleet.JONES_TAG;
import static io.omnii.server.testsupport.ScopedFleet.SMITH_TAG;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.common.Roles;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two customers' scoped tokens over HTTP: every operation of /q/openapi on an instance, called by one customer with
 * the other's instance, answers exactly as for an instance that does not exist; so do the other customer's
 * commands, batch and enrollment code; listings show each its own; every Matter operation refuses both. The tokens
 * are made through the account API (users, sign-in, personal tokens); on a build without it there is no scoped
 * credential to test with, and the test says so by skipping.
 */
@QuarkusTest
class ScopedApiTest extends ServerTest {

    private static final String INSTANCE_PATH = "/instances/{id}";
    // Bodies that pass validation, so that the instance's existence is what decides the answer.
    private static final Map<String, String> BODIES = Map.of(
            "POST /instances/{id}/commands", "{\"command\": \"get_status\"}",
            "PATCH /instances/{id}", "{\"name\": \"Taken\"}");

    String smithToken;
    String jonesToken;
    String smithInstance;
    String jonesInstance;

    @BeforeEach
    void twoCustomers() throws IOException {
        smithToken = operatorToken("smith", SMITH_TAG);
        jonesToken = operatorToken("jones", JONES_TAG);
        smithInstance = enroll(smithToken, "Smith house");
        jonesInstance = enroll(jonesToken, "Jones house");
    }

    @Test
    void everyInstanceOperationAnswersTheOtherCustomersInstanceAsAMissingOne() throws IOException {
        List<String> operations = operations().keySet().stream().filter(o -> o.contains(" " + INSTANCE_PATH)).toList();
        assertThat(operations).contains("GET /instances/{id}", "PATCH /instances/{id}", "DELETE /instances/{id}",
                "GET /instances/{id}/events", "GET /instances/{id}/metrics", "GET /instances/{id}/commands",
                "POST /instances/{id}/commands", "POST /instances/{id}/credentials/rotate");

        List<String> leaks = new ArrayList<>();
        for (String operation : operations) {
            String method = operation.substring(0, operation.indexOf(' '));
            String path = operation.substring(operation.indexOf(' ') + 1);
            String body = BODIES.getOrDefault(operation, "{}");
            String unknown = UUID.randomUUID().toString();
            Response missing = call(smithToken, method, path.replace("{id}", unknown), body);
            Response others = call(smithToken, method, path.replace("{id}", jonesInstance), body);
            if (others.statusCode() != missing.statusCode()
                    || !others.asString().equals(missing.asString().replace(unknown, jonesInstance))) {
                leaks.add(operation + " answered " + others.statusCode() + " " + others.asString()
                        + " for the other customer's instance, " + missing.statusCode() + " " + missing.asString()
                        + " for a missing one");
            }
            // Within the role, the answer is the 404 of a missing instance; beyond it, the role's 403 for any id.
            assertThat(missing.statusCode()).as(operation).isIn(404, 403);
        }
        assertThat(leaks).isEmpty();

        // And the operations a customer may do reach its own instance.
        call(smithToken, "GET", "/instances/" + smithInstance, "").then().statusCode(200);
        call(smithToken, "GET", "/instances/" + smithInstance + "/events", "").then().statusCode(200);
        call(smithToken, "GET", "/instances/" + smithInstance + "/metrics", "").then().statusCode(200);
        call(smithToken, "POST", "/instances/" + smithInstance + "/commands", BODIES.get("POST /instances/{id}/commands"))
                .then().statusCode(202);
    }

    @Test
    void theOtherCustomersCommandsBatchAndCodeAreMissingAndListingsShowEachItsOwn() {
        String command = call(jonesToken, "POST", "/instances/" + jonesInstance + "/commands",
                "{\"command\": \"get_status\"}").then().statusCode(202).extract().path("id");
        String batch = call(jonesToken, "POST", "/commands", "{\"command\": \"check_updates\","
                + " \"target\": {\"status\": \"offline\"}}").then().statusCode(202).body("total", equalTo(1))
                .extract().path("batchId");
        String code = call(jonesToken, "POST", "/enrollment-codes", "{}").then().statusCode(201).extract().path("id");

        call(smithToken, "GET", "/commands/" + command, "").then().statusCode(404).body("error", equalTo("not_found"));
        call(smithToken, "GET", "/command-batches/" + batch, "").then().statusCode(404);
        call(smithToken, "DELETE", "/enrollment-codes/" + code, "").then().statusCode(404);
        call(smithToken, "POST", "/commands", "{\"command\": \"restart\", \"target\": {\"instanceIds\": [\""
                + jonesInstance + "\"]}}").then().statusCode(400);
        call(jonesToken, "GET", "/commands/" + command, "").then().statusCode(200);
        call(jonesToken, "GET", "/command-batches/" + batch, "").then().statusCode(200);

        call(smithToken, "GET", "/instances", "").then().statusCode(200).body("items.id", contains(smithInstance))
                .body("total", equalTo(1));
        call(jonesToken, "GET", "/instances", "").then().statusCode(200).body("items.id", contains(jonesInstance));
        call(smithToken, "GET", "/enrollment-codes", "").then().statusCode(200)
                .body("items.tags", contains(List.of(SMITH_TAG)));
        call(jonesToken, "GET", "/enrollment-codes", "").then().statusCode(200).body("total", equalTo(2));
        Api.admin().get("/instances").then().body("total", equalTo(2));
    }

    @Test
    void everyMatterOperationRefusesAScopedCaller() throws IOException {
        Map<String, JsonNode> operations = operations();
        List<String> matter = operations.keySet().stream().filter(o -> o.contains(" /matter")).toList();
        assertThat(matter).hasSizeGreaterThan(10);
        List<String> answered = new ArrayList<>();
        for (String operation : matter) {
            assertThat(operations.get(operation).path("responses").path("403").path("description").asText())
                    .as("the 403 %s documents", operation).contains("out_of_scope");
            String method = operation.substring(0, operation.indexOf(' '));
            String path = operation.substring(operation.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "1");
            Response r = call(smithToken, method, path, "{}");
            // The operator's role check comes first: admin-only operations answer their 403 forbidden.
            if (r.statusCode() != 403 || !List.of("out_of_scope", "forbidden").contains(r.path("error"))) {
                answered.add(operation + " answered " + r.statusCode() + " " + r.asString());
            }
        }
        assertThat(answered).isEmpty();
        call(smithToken, "GET", "/matter/nodes", "").then().statusCode(403).body("error", equalTo("out_of_scope"));
        call(smithToken, "POST", "/matter/commissioning", "{\"code\": \"MT:Y.K9042C00KA0648G00\"}").then()
                .statusCode(403).body("error", equalTo("out_of_scope"));
        call(operatorToken("home"), "GET", "/matter/nodes", "").then().statusCode(200);
    }

    /** A personal token of a new operator limited to the tags (none: unlimited). */
    private static String operatorToken(String username, String... tags) {
        return People.token(username, Roles.OPERATOR, tags);
    }

    /** Enrolls an instance with a code the token makes; the instance carries the token's scope. */
    private static String enroll(String token, String name) {
        String code = call(token, "POST", "/enrollment-codes", "{}").then().statusCode(201).extract().path("code");
        return given().contentType("application/json").body(Map.of("code", code, "name", name)).post("/enroll")
                .then().statusCode(200).extract().path("instanceId");
    }

    private static Response call(String token, String method, String path, String body) {
        var request = given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
        if (!body.isEmpty() && !method.equals("GET") && !method.equals("DELETE")) {
            request.body(body);
        }
        return request.request(method, path);
    }

    /** "METHOD /path" of every operation in /q/openapi. */
    private static Map<String, JsonNode> operations() throws IOException {
        JsonNode api = new ObjectMapper().readTree(given().queryParam("format", "json").get("/q/openapi").then()
                .statusCode(200).extract().asString());
        Map<String, JsonNode> operations = new TreeMap<>();
        api.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (List.of("get", "post", "put", "patch", "delete").contains(op.getKey())) {
                operations.put(op.getKey().toUpperCase() + " " + path.getKey(), op.getValue());
            }
        }));
        return operations;
    }
}
