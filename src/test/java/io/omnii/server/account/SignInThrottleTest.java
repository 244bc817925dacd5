package io.omnii.server.account;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.PeriodicJobRows;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Failed sign-ins per username (burst 10, 10 an hour) and per address (burst 30, 30 an hour): the defaults. */
@QuarkusTest
class SignInThrottleTest extends ServerTest {

    @Inject
    SignInThrottle throttle;

    @Test
    void theScheduledPurgeOfFullBucketsRunsOncePerIntervalWhicheverReplicaTicks() {
        PeriodicJobRows.assertRunsOncePerInterval(db, SignInThrottle.PURGE_JOB, () -> {
            throttle.acquire("ivy", "198.51.100.8");
            clock.advance(Duration.ofHours(1)); // both full again
        }, throttle::scheduledPurge, () -> db.count("SELECT count(*) FROM sign_in_throttle"));
    }

    @Test
    void aUsernamePastItsFailuresIsLockedEvenForTheRightPasswordWithOneAnswer() {
        People.user("mia", "viewer");
        for (int i = 0; i < 10; i++) {
            People.signInResponse("mia", "wrong password " + i).then().statusCode(401);
        }
        Response wrong = People.signInResponse("MIA", "wrong password again");
        Response right = People.signInResponse("mia", People.PASSWORD);
        for (Response r : new Response[] { wrong, right }) {
            r.then().statusCode(429).body("error", equalTo("sign_in_locked"));
            assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 360L);
            assertThat(r.cookie("omnii_session")).isNull();
        }
        assertThat(right.asString()).isEqualTo(wrong.asString());
        // Six minutes give one attempt back, and the right password then works.
        clock.advance(Duration.ofMinutes(6));
        People.signInResponse("mia", People.PASSWORD).then().statusCode(200);
    }

    @Test
    void anUnknownUsernameIsLockedTheSameWay() {
        for (int i = 0; i < 10; i++) {
            People.signInResponse("ghost", "wrong password").then().statusCode(401);
        }
        People.signInResponse("ghost", "wrong password").then().statusCode(429)
                .body("error", equalTo("sign_in_locked"));
    }

    @Test
    void oneAddressTryingManyUsernamesIsLocked() {
        for (int i = 0; i < 30; i++) {
            People.signInResponse("user" + i, "wrong password").then().statusCode(401);
        }
        People.user("ned", "viewer");
        People.signInResponse("ned", People.PASSWORD).then().statusCode(429).body("error", equalTo("sign_in_locked"));
    }

    @Test
    void aRightPasswordGivesItsAttemptBack() {
        People.user("ora", "viewer");
        for (int i = 0; i < 25; i++) {
            People.signInResponse("ora", People.PASSWORD).then().statusCode(200);
        }
        assertThat(db.count("SELECT count(*) FROM sign_in_throttle WHERE tokens < 10")).isZero();
    }

    @Test
    void theFormSignInIsThrottledToo() {
        for (int i = 0; i < 10; i++) {
            form("pat", "wrong password").then().statusCode(401).body("error", equalTo("invalid_credentials"));
        }
        form("pat", "wrong password").then().statusCode(429).body("error", equalTo("sign_in_locked"));
    }

    @Test
    void aNameThatCannotBeAUsernameIsAnUnknownUserDrawingFromOneBucket() {
        People.user("admin2", "admin");
        Response unknown = People.signInResponse("nobody", "wrong password");
        unknown.then().statusCode(401);
        // Turkish dotted and dotless I fold differently in Java and PostgreSQL; 48 dotted I are 96 characters lower-cased.
        String[] hostile = { "ADM\u0130N2", "adm\u0131n2", "\u0130".repeat(48), "\u00e9".repeat(64), "admin2\u200b" };
        for (String name : hostile) {
            for (Response r : new Response[] { People.signInResponse(name, People.PASSWORD), form(name, People.PASSWORD) }) {
                r.then().statusCode(401);
                assertThat(r.<String>path("error")).as(name).isEqualTo(unknown.path("error"));
                assertThat(r.<String>path("message")).as(name).isEqualTo(unknown.path("message"));
            }
        }
        // One bucket for all of them (and "nobody"'s own), none over the column's 100 characters.
        assertThat(db.count("SELECT count(*) FROM sign_in_throttle WHERE bucket LIKE 'user:%'")).isEqualTo(2);
        assertThat(db.count("SELECT round(tokens) FROM sign_in_throttle WHERE bucket = '" + SignInThrottle.INVALID_USER
                + "'")).isEqualTo(10 - 2 * hostile.length);
        // The real admin2's bucket was never touched: the right password still signs in.
        People.signInResponse("ADMIN2", People.PASSWORD).then().statusCode(200);
    }

    @Test
    void aFormWithANulInTheUsernameIsA400() {
        form("a\0b", "wrong password").then().statusCode(400).body("error", equalTo("validation_failed"));
    }

    private static Response form(String username, String password) {
        return given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParams(Map.of("username", username, "password", password)).post("/auth/sign-in");
    }
}
