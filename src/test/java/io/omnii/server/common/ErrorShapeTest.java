package io.omnii.server.common;

import static io.omnii.server.testsupport.Api.admin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every 4xx carries the one JSON error shape, and nothing is a 500. */
@QuarkusTest
class ErrorShapeTest extends ServerTest {

    private static void assertErrorShape(Response r, int status) {
        r.then().statusCode(status).contentType(ContentType.JSON)
                .body("status", equalTo(status))
                .body("error", notNullValue())
                .body("message", notNullValue());
        assertThat(r.asString()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{not json", "[1,2", "\"just a string\"", "42", "{\"code\": 123456, \"name\": [\"x\"]}",
            "{\"code\": \"123456\", \"name\": true}" })
    void malformedOrMistypedJsonIs400(String body) {
        assertErrorShape(given().contentType(ContentType.JSON).body(body).post("/enroll"), 400);
        assertErrorShape(admin().body(body).patch("/instances/00000000-0000-0000-0000-000000000000"), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = { "{not json", "[1,2", "\"just a string\"", "{\"expiresInHours\": {}}" })
    void malformedCodeRequestsAre400(String body) {
        assertErrorShape(admin().body(body).post("/enrollment-codes"), 400);
    }

    @Test
    void aWrongTypeNamesTheField() {
        admin().body("{\"name\": 42}").patch("/instances/00000000-0000-0000-0000-000000000000")
                .then().statusCode(400).body("violations[0].field", equalTo("name"));
    }

    @Test
    void anOversizedBodyIs413() {
        String big = "{\"code\":\"123456\",\"name\":\"" + "x".repeat(70 * 1024) + "\"}";
        assertErrorShape(given().contentType(ContentType.JSON).body(big).post("/enroll"), 413);
        // Past the framework's own 1 MiB backstop the answer is still a 413.
        String huge = "{\"code\":\"123456\",\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        assertThat(given().contentType(ContentType.JSON).body(huge).post("/enroll").statusCode()).isEqualTo(413);
    }

    @Test
    void anEmptyEnrollBodyIs400() {
        assertErrorShape(given().contentType(ContentType.JSON).post("/enroll"), 400);
    }

    @Test
    void aWrongMediaTypeIs415() {
        assertErrorShape(given().contentType(ContentType.TEXT).body("code=1").post("/enroll"), 415);
    }

    @Test
    void aWrongMethodIs405() {
        assertErrorShape(given().get("/enroll"), 405);
    }

    @Test
    void anUnknownPathIs404() {
        assertErrorShape(admin().get("/no-such-thing"), 404);
    }
}
