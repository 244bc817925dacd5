package io.omnii.server.enrollment;

import static io.omnii.server.testsupport.Api.admin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class EnrollTest extends ServerTest {

    @ConfigProperty(name = "omnii.mqtt.instance-broker-url")
    String instanceBrokerUrl;

    static Response enroll(String code, String name) {
        return given().contentType(ContentType.JSON).body(Map.of("code", code, "name", name)).post("/enroll");
    }

    @Test
    void enrollIgnoresAStrayAuthorizationHeaderOrSessionCookie() {
        given().contentType(ContentType.JSON).header("Authorization", "Bearer garbage")
                .body(Map.of("code", Api.newCode(), "name", "Bearer house")).post("/enroll").then().statusCode(200);
        given().contentType(ContentType.JSON).cookie("omnii_session", "stray-session-without-csrf")
                .body(Map.of("code", Api.newCode(), "name", "Cookie house")).post("/enroll").then().statusCode(200);
        assertThat(db.count("SELECT count(*) FROM instance")).isEqualTo(2);
    }

    @Test
    void enrollAnswersTheGuidesContractFieldByField() throws Exception {
        Response response = enroll(Api.newCode(), "Home Assistant - Living Room");
        response.then().statusCode(200).contentType(ContentType.JSON);
        JsonNode body = new ObjectMapper().readTree(response.asString());

        assertThat(EnrollmentCodeTest.fieldNames(body))
                .isEqualTo(EnrollmentCodeTest.fieldNames(EnrollmentCodeTest.fixture("contract/enroll-response.json")));
        String id = body.get("instanceId").asText();
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(body.get("mqttClientId").asText()).isEqualTo("ha-" + id);
        assertThat(body.get("mqttBrokerUrl").asText()).isEqualTo(instanceBrokerUrl).startsWith("mqtt://");
        JsonNode topics = body.get("topics");
        assertThat(topics.get("status").asText()).isEqualTo("ha-instances/" + id + "/status");
        assertThat(topics.get("heartbeat").asText()).isEqualTo("ha-instances/" + id + "/heartbeat");
        assertThat(topics.get("metrics").asText()).isEqualTo("ha-instances/" + id + "/metrics");
        assertThat(topics.get("commands").asText()).isEqualTo("server/" + id + "/commands");
    }

    @Test
    void enrollmentRegistersAnOfflineInstanceAndUsesTheCode() {
        String id = enroll(Api.newCode(), "  Cabin  ").then().statusCode(200).extract().path("instanceId");
        admin().get("/instances/" + id).then().statusCode(200)
                .body("name", equalTo("Cabin"))
                .body("status", equalTo("offline"))
                .body("mqttClientId", equalTo("ha-" + id));
        assertThat(db.count("SELECT count(*) FROM enrollment_code WHERE used_at IS NOT NULL AND instance_id = '"
                + id + "'")).isEqualTo(1);
    }

    @Test
    void aCodeWorksOnce() {
        String code = Api.newCode();
        enroll(code, "First").then().statusCode(200);
        enroll(code, "Second").then().statusCode(400).body("error", equalTo("invalid_enrollment_code"));
        assertThat(db.count("SELECT count(*) FROM instance")).isEqualTo(1);
    }

    @Test
    void unknownExpiredUsedAndRevokedCodesGetTheSameAnswer() {
        String used = Api.newCode();
        enroll(used, "Taken").then().statusCode(200);
        String revoked = Api.newCode();
        String revokedId = admin().get("/enrollment-codes").then().extract()
                .path("items.find { it.state == 'active' }.id");
        admin().delete("/enrollment-codes/" + revokedId).then().statusCode(204);
        String expiring = admin().body("{\"expiresInHours\": 1}").post("/enrollment-codes").then().extract().path("code");
        clock.advance(Duration.ofMinutes(60));
        String unknown = unusedCode(used, revoked, expiring);

        List<String> answers = new ArrayList<>();
        for (String code : List.of(unknown, expiring, used, revoked, "12345", "abcdef")) {
            Response r = enroll(code, "Intruder");
            answers.add(r.statusCode() + " " + r.asString());
        }
        assertThat(answers).hasSize(6).allMatch(a -> a.equals(answers.get(0)));
        assertThat(answers.get(0)).startsWith("400 ").contains("\"invalid_enrollment_code\"");
        assertThat(db.count("SELECT count(*) FROM instance")).isEqualTo(1);
    }

    @Test
    void aCodeStillWorksJustBeforeItExpires() {
        String code = admin().body("{\"expiresInHours\": 1}").post("/enrollment-codes").then().extract().path("code");
        clock.advance(Duration.ofMinutes(59));
        enroll(code, "Just in time").then().statusCode(200);
    }

    @Test
    void ofManyConcurrentEnrollsWithOneCodeExactlyOneSucceeds() throws Exception {
        String code = Api.newCode();
        int contenders = 8;
        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < contenders; i++) {
            String name = "Contender " + i;
            Callable<Integer> attempt = () -> {
                start.await();
                return enroll(code, name).statusCode();
            };
            results.add(pool.submit(attempt));
        }
        start.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> f : results) {
            statuses.add(f.get());
        }
        pool.shutdown();
        assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 400).hasSize(contenders - 1);
        assertThat(db.count("SELECT count(*) FROM instance")).isEqualTo(1);
    }

    @Test
    void enrollWithoutCodeOrNameIsAValidationError() {
        given().contentType(ContentType.JSON).body("{}").post("/enroll").then().statusCode(400)
                .body("error", equalTo("validation_failed"))
                .body("violations.field", hasItem("code"))
                .body("violations.field", hasItem("name"));
        given().contentType(ContentType.JSON).body(Map.of("code", Api.newCode(), "name", " ")).post("/enroll")
                .then().statusCode(400).body("violations.field", hasItem("name"));
        given().contentType(ContentType.JSON).body(Map.of("code", "123456", "name", "x".repeat(201))).post("/enroll")
                .then().statusCode(400).body("violations.field", hasItem("name"));
        assertThat(db.count("SELECT count(*) FROM instance")).isZero();
    }

    @Test
    void enrollNeedsNoAdminToken() {
        enroll(Api.newCode(), "No token needed").then().statusCode(200);
    }

    /** A 6-digit value that is none of the given codes. */
    private static String unusedCode(String... taken) {
        for (int i = 0;; i++) {
            String candidate = String.format("%06d", i);
            if (!List.of(taken).contains(candidate)) {
                return candidate;
            }
        }
    }
}
