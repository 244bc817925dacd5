package io.omnii.server.common;

import static io.omnii.server.testsupport.Api.admin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import com.atlassian.oai.validator.report.ValidationReport;
import io.omnii.server.testsupport.OpenApiResponseValidation;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OpenApiTest {

    private static final String SOME_ID = "/instances/5d1e6f3a-8b7c-4e2d-a1f0-9c8b7a6d5e4f";

    private static JsonPath document() {
        return given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath();
    }

    private static ValidationReport check(String method, String path, int status, String body) {
        return OpenApiResponseValidation.check(URI.create(RestAssured.baseURI + ":" + RestAssured.port), method, path,
                status, "application/json", body);
    }

    @Test
    void theApiDescribesItselfWithTheAdminSchemeAndAPublicEnroll() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("paths", hasKey("/enroll"))
                .body("paths", hasKey("/enrollment-codes"))
                .body("paths", hasKey("/instances/{id}"))
                .body("components.securitySchemes.admin.scheme", equalTo("bearer"))
                .body("security[0]", hasKey("admin"))
                .body("paths.'/enroll'.post.security", empty())
                .body("paths.'/instances'.get", not(anEmptyMap()));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void theDocumentShowsWhatTheApiSendsAndAnswers() {
        JsonPath doc = document();
        // Enums by their wire names, as the API sends and takes them.
        assertThat(doc.getList("components.schemas.InstanceStatus.enum"))
                .containsExactly("online", "offline", "error", "decommissioned");
        assertThat(doc.getList("components.schemas.CommandState.enum")).contains("queued", "timed_out", "cancelled");
        // The statuses the endpoints really answer.
        assertThat(doc.getMap("paths.'/enrollment-codes'.post.responses")).containsKey("201").doesNotContainKey("200");
        assertThat(doc.getMap("paths.'/instances/{id}/commands'.post.responses")).containsKey("202");
        assertThat(doc.getMap("paths.'/commands'.post.responses")).containsKey("202");
        assertThat(doc.getMap("paths.'/matter/commissioning'.post.responses")).containsKey("202");
        assertThat(doc.getMap("paths.'/matter/nodes/{nodeId}/interview'.post.responses"))
                .containsKey("204").doesNotContainKey("201");
        // Errors with the one body; paging parameters as bounded integers; free JSON as free JSON.
        assertThat(doc.getString("paths.'/instances/{id}'.patch.responses.'409'.content.'application/json'.schema.'$ref'"))
                .isEqualTo("#/components/schemas/ApiError");
        assertThat(doc.getString("paths.'/instances'.get.parameters.find { it.name == 'size' }.schema.type"))
                .isEqualTo("integer");
        assertThat(doc.getInt("paths.'/instances'.get.parameters.find { it.name == 'size' }.schema.maximum"))
                .isEqualTo(Page.MAX_SIZE);
        assertThat(doc.getString("components.schemas.CommandRequest.properties.payload.type")).isEqualTo("object");
        assertThat(doc.getMap("components.schemas")).doesNotContainKeys("JsonNode", "JsonNodeType");
    }

    @Test
    void responsesTheDocumentDoesNotDescribeAreCaught() {
        String instance = "{\"id\": \"5d1e6f3a-8b7c-4e2d-a1f0-9c8b7a6d5e4f\", \"name\": \"Kitchen\", \"tags\": [],"
                + " \"mqttClientId\": \"ha-x\", \"status\": \"%s\", \"statusChangedAt\": 1, \"enrolledAt\": 1,"
                + " \"lastSeenAt\": null, \"decommissionedAt\": null, \"version\": null, \"latest\": {}}";
        assertThat(check("GET", SOME_ID, 200, instance.formatted("online")).hasErrors()).isFalse();
        assertThat(check("GET", SOME_ID, 200, instance.formatted("ONLINE")).hasErrors()).as("an enum value").isTrue();
        assertThat(check("GET", SOME_ID, 200, "{\"id\": 5}").hasErrors()).as("a wrong type").isTrue();
        assertThat(check("GET", SOME_ID, 200, instance.formatted("online").replace("{\"id\"", "{\"surprise\": 1, \"id\""))
                .hasErrors()).as("a field the document does not name").isTrue();
        assertThat(check("GET", SOME_ID, 299, instance.formatted("online")).hasErrors()).as("a status").isTrue();
        assertThat(check("GET", SOME_ID, 404, "{\"status\": 404, \"error\": \"not_found\", \"message\": \"x\"}")
                .hasErrors()).isFalse();
        assertThat(check("GET", SOME_ID, 404, "{\"message\": \"x\"}").hasErrors()).as("an error body").isTrue();
        assertThat(check("GET", "/no-such-thing", 404, "Not Found").hasErrors()).as("an error body off the API").isTrue();
    }

    @Test
    void everyResponseATestGetsIsChecked() {
        int before = OpenApiResponseValidation.validated();
        admin().get(SOME_ID).then().statusCode(404).body("violations", nullValue());
        admin().get("/instances").then().statusCode(200);
        given().get("/instances").then().statusCode(401).body("error", equalTo("unauthorized"));
        assertThat(OpenApiResponseValidation.validated()).isEqualTo(before + 3);
        assertThat(RestAssured.filters()).anyMatch(OpenApiResponseValidation.class::isInstance);
    }
}
