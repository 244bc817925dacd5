package io.omnii.server.enrollment;

import static io.omnii.server.enrollment.EnrollTest.enroll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.common.ApiException;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.PeriodicJobRows;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Defaults under test: 10 attempts per address then 10 an hour; 30 fleet-wide then 60 an hour. */
@QuarkusTest
class EnrollmentThrottleTest extends ServerTest {

    @Inject
    EnrollmentThrottle throttle;

    @Test
    void failedAttemptsFromOneAddressAreThrottledWith429AndRetryAfter() {
        String code = Api.newCode();
        for (int i = 0; i < 10; i++) {
            enroll(wrong(code), "Guess " + i).then().statusCode(400);
        }
        Response throttled = enroll(wrong(code), "Guess 10");
        throttled.then().statusCode(429).body("error", equalTo("too_many_attempts")).body("status", equalTo(429));
        // One token comes back every 6 minutes at 10 an hour.
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 360L);
        // Past the limit even the right code is refused: the answer must not be an oracle.
        enroll(code, "Legit").then().statusCode(429);
        assertThat(db.count("SELECT count(*) FROM instance")).isZero();
    }

    @Test
    void aThrottledAddressRecoversAsTimePasses() {
        String code = Api.newCode();
        for (int i = 0; i < 10; i++) {
            enroll(wrong(code), "Guess").then().statusCode(400);
        }
        enroll(code, "Too soon").then().statusCode(429);
        clock.advance(Duration.ofMinutes(6).plusSeconds(1));
        enroll(code, "After the wait").then().statusCode(200);
    }

    @Test
    void theScheduledPurgeOfFullBucketsRunsOncePerIntervalWhicheverReplicaTicks() {
        PeriodicJobRows.assertRunsOncePerInterval(db, EnrollmentThrottle.PURGE_JOB, () -> {
            throttle.acquire("198.51.100.7");
            clock.advance(Duration.ofHours(1)); // full again
        }, throttle::scheduledPurge, () -> db.count("SELECT count(*) FROM enrollment_throttle WHERE bucket LIKE 'addr:%'"));
    }

    @Test
    void successfulEnrollmentsAreNotCounted() {
        for (int i = 0; i < 15; i++) {
            enroll(Api.newCode(), "Instance " + i).then().statusCode(200);
        }
        assertThat(db.count("SELECT count(*) FROM instance")).isEqualTo(15);
    }

    @Test
    void failuresFromManyAddressesThrottleEveryone() {
        // 30 failed attempts from 30 different addresses exhaust the fleet-wide bucket...
        for (int i = 0; i < 30; i++) {
            throttle.acquire("198.51.100." + i);
        }
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(ApiException.class,
                () -> throttle.acquire("198.51.100.200")).status()).isEqualTo(429);
        // ...so a fresh address with a valid code is refused too, and told how long to wait (one a minute).
        Response r = enroll(Api.newCode(), "Innocent bystander");
        r.then().statusCode(429);
        assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 60L);
    }

    @Test
    void fleetWideRefusalDoesNotSpendTheAddressBudget() {
        for (int i = 0; i < 30; i++) {
            throttle.acquire("203.0.113." + i);
        }
        for (int i = 0; i < 12; i++) {
            enroll("000000", "Refused").then().statusCode(429);
        }
        clock.advance(Duration.ofMinutes(1));
        // The global bucket regained one token; this address still has its full budget of 10.
        enroll(Api.newCode(), "Welcome").then().statusCode(200);
    }

    private static String wrong(String code) {
        return code.equals("999999") ? "999998" : "999999";
    }
}
