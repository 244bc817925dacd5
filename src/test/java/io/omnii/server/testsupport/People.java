package io.omnii.server.testsupport;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Users, their sessions and their personal tokens, made through the API as the break-glass admin. */
public final class People {

    public static final String PASSWORD = "correct horse battery staple";

    private People() {
    }

    /** A signed-in browser: its cookie, and the CSRF token its state-changing requests send. */
    public record Session(String cookie, String csrfToken) {

        /** A request as this browser: the cookie and, for state-changing methods, the CSRF header. */
        public RequestSpecification request() {
            return given().cookie("omnii_session", cookie).header("X-CSRF-Token", csrfToken)
                    .contentType(ContentType.JSON);
        }
    }

    /** Creates a user of a role and scope, with {@link #PASSWORD}; answers its id. */
    public static String user(String username, String role, String... scopeTags) {
        Map<String, Object> body = new HashMap<>();
        body.put("username", username);
        body.put("role", role);
        body.put("scopeTags", List.of(scopeTags));
        body.put("password", PASSWORD);
        return Api.admin().body(body).post("/users").then().statusCode(201).extract().path("user.id");
    }

    public static Response signInResponse(String username, String password) {
        return given().contentType(ContentType.JSON).body(Map.of("username", username, "password", password))
                .post("/auth/sign-in");
    }

    public static Session signIn(String username) {
        Response r = signInResponse(username, PASSWORD);
        r.then().statusCode(200);
        return new Session(r.cookie("omnii_session"), r.path("csrfToken"));
    }

    /** A personal token of a new user of this role and scope, with the owner's role and scope. */
    public static String token(String username, String role, String... scopeTags) {
        user(username, role, scopeTags);
        return signIn(username).request().body(Map.of("name", "test")).post("/me/tokens").then().statusCode(201)
                .extract().path("token");
    }

    public static RequestSpecification bearer(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }
}
