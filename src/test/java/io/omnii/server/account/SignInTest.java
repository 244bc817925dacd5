package io.omnii.server.account;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.PeriodicJobRows;
import io.omnii.server.testsupport.People.Session;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SignInTest extends ServerTest {

    @Inject
    SessionService sessions;

    @Test
    void signInSetsAStrictHttpOnlyCookieAndAnswersTheCsrfToken() {
        People.user("alice", "operator");
        Response r = People.signInResponse("Alice", People.PASSWORD);
        r.then().statusCode(200).body("user.username", equalTo("alice")).body("user.role", equalTo("operator"))
                .body("idleTimeoutSeconds", equalTo(1800));
        String setCookie = r.header("Set-Cookie");
        assertThat(setCookie).startsWith("omnii_session=").contains("; Path=/", "; HttpOnly", "; SameSite=Strict")
                .doesNotContain("Secure");
        String cookie = r.cookie("omnii_session");
        assertThat(cookie).hasSizeGreaterThanOrEqualTo(43);
        assertThat((String) r.path("csrfToken")).isNotEqualTo(cookie).isNotBlank();
        // Only a digest of the cookie is stored.
        assertThat(db.count("SELECT count(*) FROM browser_session")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM browser_session WHERE encode(secret_hash, 'escape') LIKE '%"
                + cookie + "%'")).isZero();
        assertThat(db.count("SELECT count(*) FROM user_account WHERE last_sign_in_at IS NOT NULL")).isEqualTo(1);

        given().cookie("omnii_session", cookie).get("/me").then().statusCode(200)
                .body("kind", equalTo("user")).body("user.username", equalTo("alice"));
        given().cookie("omnii_session", cookie).get("/auth/session").then().statusCode(200)
                .body("csrfToken", equalTo(r.path("csrfToken")));
    }

    @Test
    void aFormSignInRedirectsToASameOriginNextOnly() {
        People.user("bob", "viewer");
        for (String[] c : new String[][] { { "/console/fleet?x=1", "/console/fleet?x=1" }, { "//evil.example", "/" },
                { "https://evil.example/", "/" }, { "/\\evil.example", "/" }, { "/%", "/" }, { "/a%2", "/" },
                { "/%zz", "/" }, { "/console/a%20b", "/console/a%20b" } }) {
            Response r = given().redirects().follow(false).contentType(ContentType.URLENC)
                    .formParam("username", "bob").formParam("password", People.PASSWORD).formParam("next", c[0])
                    .post("/auth/sign-in");
            r.then().statusCode(303);
            assertThat(r.header("Location")).as("next %s", c[0]).endsWith(c[1]);
            assertThat(r.header("Location").replaceFirst("^https?://[^/]+", "")).isEqualTo(c[1]);
            assertThat(r.cookie("omnii_session")).isNotBlank();
        }
    }

    @Test
    void aSignInSentFromAnotherSiteIsRefusedInBothForms() {
        People.user("carl", "viewer");
        String self = RestAssured.baseURI + ":" + RestAssured.port;
        String[][] refused = { { "Sec-Fetch-Site", "cross-site" }, { "Sec-Fetch-Site", "same-site" },
                { "Origin", "https://evil.example" }, { "Origin", "null" }, { "Origin", self + "1" } };
        for (String[] h : refused) {
            json().header(h[0], h[1]).body(Map.of("username", "carl", "password", People.PASSWORD))
                    .post("/auth/sign-in").then().statusCode(403).body("error", equalTo("csrf_failed"));
            form().header(h[0], h[1]).post("/auth/sign-in").then().statusCode(403)
                    .body("error", equalTo("csrf_failed"));
        }
        assertThat(db.count("SELECT count(*) FROM browser_session")).isZero();

        String[][] allowed = { { "Sec-Fetch-Site", "same-origin" }, { "Sec-Fetch-Site", "none" }, { "Origin", self },
                { "X-No-Browser", "curl" } };
        for (String[] h : allowed) {
            json().header(h[0], h[1]).body(Map.of("username", "carl", "password", People.PASSWORD))
                    .post("/auth/sign-in").then().statusCode(200);
            form().header(h[0], h[1]).post("/auth/sign-in").then().statusCode(303);
        }
        // Sec-Fetch-Site decides when both are present.
        json().header("Sec-Fetch-Site", "same-origin").header("Origin", "https://evil.example")
                .body(Map.of("username", "carl", "password", People.PASSWORD)).post("/auth/sign-in").then()
                .statusCode(200);
    }

    private static RequestSpecification json() {
        return given().contentType(ContentType.JSON);
    }

    private static RequestSpecification form() {
        return given().redirects().follow(false).contentType(ContentType.URLENC).formParam("username", "carl")
                .formParam("password", People.PASSWORD);
    }

    @Test
    void aWrongPasswordAndAnUnknownUserGetTheSameAnswer() {
        People.user("carol", "viewer");
        String wrong = People.signInResponse("carol", "not the password").then().statusCode(401)
                .body("error", equalTo("invalid_credentials")).extract().asString();
        String unknown = People.signInResponse("nobody", "not the password").then().statusCode(401)
                .extract().asString();
        assertThat(unknown).isEqualTo(wrong);
        assertThat(db.count("SELECT count(*) FROM browser_session")).isZero();
    }

    @Test
    void aStateChangingRequestByCookieWithoutTheCsrfTokenIsRefused() {
        People.user("dave", "operator");
        Session s = People.signIn("dave");
        given().cookie("omnii_session", s.cookie()).contentType(ContentType.JSON).body("{}")
                .post("/enrollment-codes").then().statusCode(403).body("error", equalTo("csrf_failed"));
        given().cookie("omnii_session", s.cookie()).header("X-CSRF-Token", "forged").contentType(ContentType.JSON)
                .body("{}").post("/enrollment-codes").then().statusCode(403).body("error", equalTo("csrf_failed"));
        assertThat(db.count("SELECT count(*) FROM enrollment_code")).isZero();
        // Reads need none; with the token the change goes through.
        given().cookie("omnii_session", s.cookie()).get("/enrollment-codes").then().statusCode(200);
        s.request().body("{}").post("/enrollment-codes").then().statusCode(201);
        // A bearer request needs no CSRF token, cookie or not.
        Api.admin().cookie("omnii_session", s.cookie()).body("{}").post("/enrollment-codes").then().statusCode(201);
    }

    @Test
    void aSessionEndsWhenIdleForTheIdleTimeout() {
        People.user("erin", "viewer");
        Session s = People.signIn("erin");
        clock.advance(Duration.ofMinutes(29));
        s.request().get("/me").then().statusCode(200);
        // Used a minute ago: the idle timeout counts from there.
        clock.advance(Duration.ofMinutes(29));
        s.request().get("/me").then().statusCode(200);
        clock.advance(Duration.ofMinutes(31));
        s.request().get("/me").then().statusCode(401).body("error", equalTo("unauthorized"));
        assertThat(db.count("SELECT count(*) FROM browser_session")).isZero();
    }

    @Test
    void aSessionEndsAtItsAbsoluteExpiryEvenWhenInUse() {
        People.user("frank", "viewer");
        Session s = People.signIn("frank");
        for (int i = 0; i < 24; i++) {
            clock.advance(Duration.ofMinutes(29));
            s.request().get("/me").then().statusCode(200);
        }
        clock.advance(Duration.ofMinutes(29)); // 12 h 5 min after sign-in
        s.request().get("/me").then().statusCode(401);
    }

    @Test
    void theSweepDeletesSessionsPastTheirIdleOrAbsoluteExpiryOnly() {
        People.user("erin", "viewer");
        People.signIn("erin");
        clock.advance(Duration.ofMinutes(20));
        Session live = People.signIn("erin");
        clock.advance(Duration.ofMinutes(10));
        // The first is now 30 minutes idle; the second 10.
        assertThat(sessions.sweep()).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM browser_session")).isEqualTo(1);
        live.request().get("/me").then().statusCode(200);
        // Kept in use, it still ends 12 hours after sign-in.
        for (int i = 0; i < 47; i++) {
            clock.advance(Duration.ofMinutes(15));
            live.request().get("/me").then().statusCode(200);
        }
        assertThat(sessions.sweep()).isZero();
        clock.advance(Duration.ofMinutes(5));
        assertThat(sessions.sweep()).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM browser_session")).isZero();
    }

    @Test
    void theScheduledSweepRunsOncePerIntervalWhicheverReplicaTicks() {
        People.user("hana", "viewer");
        PeriodicJobRows.assertRunsOncePerInterval(db, SessionService.SWEEP_JOB, () -> {
            People.signIn("hana");
            clock.advance(Duration.ofMinutes(31));
        }, sessions::scheduledSweep, () -> db.count("SELECT count(*) FROM browser_session"));
    }

    @Test
    void signOutEndsTheSessionAndNeedsTheCsrfToken() {
        People.user("gina", "viewer");
        Session s = People.signIn("gina");
        given().cookie("omnii_session", s.cookie()).post("/auth/sign-out").then().statusCode(403)
                .body("error", equalTo("csrf_failed"));
        s.request().get("/me").then().statusCode(200);
        Response out = s.request().post("/auth/sign-out");
        out.then().statusCode(204);
        assertThat(out.header("Set-Cookie")).startsWith("omnii_session=;").contains("Max-Age=0");
        s.request().get("/me").then().statusCode(401);
        assertThat(db.count("SELECT count(*) FROM browser_session")).isZero();
    }

    @Test
    void disablingAUserEndsItsSessionsAtOnce() {
        String id = People.user("hank", "operator");
        Session s = People.signIn("hank");
        s.request().get("/me").then().statusCode(200);
        Api.admin().body(Map.of("disabled", true)).patch("/users/" + id).then().statusCode(200);
        s.request().get("/me").then().statusCode(401);
        People.signInResponse("hank", People.PASSWORD).then().statusCode(401).body("error", equalTo("invalid_credentials"));
    }
}
