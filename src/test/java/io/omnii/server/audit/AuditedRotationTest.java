package io.omnii.server.audit;

import static io.omnii.server.audit.AuditedOperations.exactlyOne;
import static io.omnii.server.testsupport.Api.admin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnii.server.broker.DynsecProfile;
import io.omnii.server.testsupport.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With per-instance broker accounts: enrollment and rotation are recorded, their broker passwords never. */
@QuarkusTest
@TestProfile(DynsecProfile.class)
class AuditedRotationTest {

    @Inject
    AuditTable table;

    @Test
    void rotationWritesOneEntryAndNoBrokerPasswordReachesAnEntryOrTheLog() {
        long start = table.head();
        String enrolledPassword;
        String rotatedPassword;
        try (LogCapture log = LogCapture.install()) {
            JsonPath enrolled = given().contentType(ContentType.JSON)
                    .body(Map.of("code", Api.newCode(), "name", "Home")).post("/enroll").then().statusCode(200)
                    .extract().jsonPath();
            enrolledPassword = enrolled.getString("mqttPassword");
            String id = enrolled.getString("instanceId");
            long head = table.head();
            rotatedPassword = admin().post("/instances/" + id + "/credentials/rotate").then().statusCode(200)
                    .extract().path("mqttPassword");
            JsonNode entry = exactlyOne(table, head, "POST /instances/{id}/credentials/rotate");
            assertThat(entry.path("target_id").asText()).isEqualTo(id);
            assertThat(entry.path("outcome").asText()).isEqualTo("success");
            assertThat(log.lines()).isNotEmpty()
                    .noneMatch(l -> l.contains(enrolledPassword) || l.contains(rotatedPassword));
        }
        assertThat(enrolledPassword).isNotBlank();
        assertThat(rotatedPassword).isNotBlank();
        List<JsonNode> written = table.entriesAfter(start);
        assertThat(written).extracting(e -> e.path("action").asText())
                .containsExactly("enrollment_code.create", "instance.enroll", "instance.rotate_credentials");
        assertThat(written).extracting(JsonNode::toString)
                .noneMatch(e -> e.contains(enrolledPassword) || e.contains(rotatedPassword));
    }
}
