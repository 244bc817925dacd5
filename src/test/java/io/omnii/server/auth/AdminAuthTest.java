package io.omnii.server.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class AdminAuthTest extends ServerTest {

    private static final String SOME_ID = "00000000-0000-0000-0000-000000000001";

    @ParameterizedTest(name = "{0} {1} with {2}")
    @CsvSource({
            "POST,   /enrollment-codes,             no header",
            "GET,    /enrollment-codes,             no header",
            "DELETE, /enrollment-codes/" + SOME_ID + ", no header",
            "GET,    /instances,                    no header",
            "GET,    /instances/" + SOME_ID + ",    no header",
            "PATCH,  /instances/" + SOME_ID + ",    no header",
            "DELETE, /instances/" + SOME_ID + ",    no header",
            "POST,   /enrollment-codes,             Bearer wrong-token-of-some-length",
            "POST,   /enrollment-codes,             Bearer test-admin-token-0123456789abcdeX",
            "POST,   /enrollment-codes,             Bearer test-admin-token-0123456789abcde",
            "POST,   /enrollment-codes,             Basic dGVzdC1hZG1pbi10b2tlbjp4",
            "POST,   /enrollment-codes,             test-admin-token-0123456789abcdef",
            "GET,    /instances,                    Bearer",
    })
    void adminEndpointsRefuseRequestsWithoutTheToken(String method, String path, String header) {
        RequestSpecification request = given().contentType(ContentType.JSON).body("{}");
        if (!header.equals("no header")) {
            request.header("Authorization", header);
        }
        Response response = request.request(method, path);
        response.then().statusCode(401)
                .contentType(ContentType.JSON)
                .header("WWW-Authenticate", "Bearer realm=\"omnii\"")
                .body("error", equalTo("unauthorized"));
        assertThat(db.count("SELECT count(*) FROM enrollment_code")).isZero();
    }

    @ParameterizedTest
    @CsvSource({ "Bearer test-admin-token-0123456789abcdef", "bearer test-admin-token-0123456789abcdef" })
    void theConfiguredTokenIsAccepted(String header) {
        given().header("Authorization", header).get("/instances").then().statusCode(200);
    }

    @ParameterizedTest
    @CsvSource({ "{not json", "{\"expiresInHours\": \"x\"}" })
    void anUnauthenticatedRequestLearnsNothingFromItsBody(String body) {
        given().contentType(ContentType.JSON).body(body).post("/enrollment-codes").then().statusCode(401);
    }
}
