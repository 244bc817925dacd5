package io.omnii.server.testsupport;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** RestAssured requests as an admin, and the steps most tests share. */
public final class Api {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

    private Api() {
    }

    public static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType(ContentType.JSON);
    }

    /** Creates an enrollment code and returns it. */
    public static String newCode() {
        return admin().body("{}").post("/enrollment-codes").then().statusCode(201).extract().path("code");
    }

    /** Enrolls a new instance with a fresh code and returns its id. */
    public static String enrollInstance(String name) {
        return given().contentType(ContentType.JSON)
                .body(java.util.Map.of("code", newCode(), "name", name))
                .post("/enroll").then().statusCode(200).extract().path("instanceId");
    }
}
