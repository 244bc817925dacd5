package io.omnii.server.common;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OpenApiTest {

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
}
