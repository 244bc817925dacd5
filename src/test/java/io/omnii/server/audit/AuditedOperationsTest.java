package io.omnii.server.audit;

import static io.omnii.server.audit.AuditedOperations.exactlyOne;
import static io.omnii.server.testsupport.Api.admin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each state-changing operation outside Matter writes exactly one entry in its change's transaction, or none. */
@QuarkusTest
class AuditedOperationsTest extends ServerTest {

    @Inject
    AuditTable table;

    @Inject
    AuditVerifier verifier;

    @BeforeEach
    void emptyLog() {
        table.reset();
    }

    @Test
    void everyStateChangingOperationRecordsAnAction() {
        assertThat(AuditedOperations.stateChangingOperations())
                .as("POST, PUT, PATCH and DELETE operations in /q/openapi; each needs its action in AuditedOperations")
                .containsExactlyInAnyOrderElementsOf(AuditedOperations.ACTIONS.keySet());
    }

    private static void assertBreakGlass(JsonNode entry) {
        assertThat(entry.path("actor_kind").asText()).isEqualTo("break_glass");
        assertThat(entry.path("actor_role").asText()).isEqualTo("admin");
        assertThat(entry.path("outcome").asText()).isEqualTo("success");
        assertThat(entry.path("request_id").asText()).isNotBlank();
        assertThat(entry.path("address").asText()).isNotBlank();
    }

    @Test
    void creatingAndRevokingAnEnrollmentCodeEachWriteOneEntryWithoutTheCode() {
        long head = table.head();
        Map<String, Object> created = admin().body("{}").post("/enrollment-codes").then().statusCode(201).extract()
                .as(Map.class);
        JsonNode entry = exactlyOne(table, head, "POST /enrollment-codes");
        assertBreakGlass(entry);
        assertThat(entry.path("target_type").asText()).isEqualTo("enrollment_code");
        assertThat(entry.path("target_id").asText()).isEqualTo(created.get("id"));
        assertThat(entry.path("detail").path("expiresAt").asLong()).isEqualTo(created.get("expiresAt"));
        assertThat(withoutHashesAndTimes(entry)).doesNotContain((String) created.get("code"));

        head = table.head();
        admin().delete("/enrollment-codes/" + created.get("id")).then().statusCode(204);
        entry = exactlyOne(table, head, "DELETE /enrollment-codes/{id}");
        assertThat(entry.path("target_id").asText()).isEqualTo(created.get("id"));
        assertThat(entry.path("detail").path("alreadyRevoked").asBoolean()).isFalse();
    }

    @Test
    void enrollmentCodeEntriesCarryTheCodesTagsSoAScopedColleagueSeesThem() {
        String maker = People.token("smith-maker", "operator", "customer:smith");
        String colleague = People.token("smith-colleague", "viewer", "customer:smith");
        String id = People.bearer(maker).body("{}").post("/enrollment-codes").then().statusCode(201).extract()
                .path("id");
        People.bearer(maker).delete("/enrollment-codes/" + id).then().statusCode(204);

        People.bearer(colleague).get("/audit?targetType=enrollment_code").then().statusCode(200)
                .body("items.action", contains("enrollment_code.revoke", "enrollment_code.create"))
                .body("items.target.id", everyItem(equalTo(id)))
                .body("items.target.tags", everyItem(contains("customer:smith")));
    }

    @Test
    void anEnrollmentIsRecordedAsActedByTheCodesIdNeverTheCode() {
        Map<String, Object> code = admin().body("{}").post("/enrollment-codes").then().statusCode(201).extract()
                .as(Map.class);
        long head = table.head();
        String instanceId = given().contentType(ContentType.JSON).header("X-Request-Id", "enroll-req-1")
                .body(Map.of("code", code.get("code"), "name", "Cabin")).post("/enroll").then().statusCode(200)
                .extract().path("instanceId");
        JsonNode entry = exactlyOne(table, head, "POST /enroll");
        assertThat(entry.path("actor_kind").asText()).isEqualTo("enrollment");
        assertThat(entry.path("actor_id").asText()).isEqualTo(code.get("id"));
        assertThat(entry.path("request_id").asText()).isEqualTo("enroll-req-1");
        assertThat(entry.path("target_type").asText()).isEqualTo("instance");
        assertThat(entry.path("target_id").asText()).isEqualTo(instanceId);
        assertThat(entry.path("detail").path("name").asText()).isEqualTo("Cabin");
        assertThat(withoutHashesAndTimes(entry)).doesNotContain((String) code.get("code"));
    }

    @Test
    void changingAnInstanceRecordsTheTagsItLeftAndTheTagsItGot() {
        String id = Api.enrollInstance("Home");
        admin().body(Map.of("tags", List.of("customer:smith"))).patch("/instances/" + id).then().statusCode(200);
        long head = table.head();
        admin().body(Map.of("name", "Parents", "tags", List.of("customer:jones"))).patch("/instances/" + id).then()
                .statusCode(200);
        JsonNode entry = exactlyOne(table, head, "PATCH /instances/{id}");
        assertBreakGlass(entry);
        assertThat(entry.path("target_id").asText()).isEqualTo(id);
        assertThat(texts(entry.path("target_tags"))).containsExactly("customer:jones", "customer:smith");
        assertThat(entry.path("detail").path("name").asText()).isEqualTo("Parents");
        assertThat(texts(entry.path("detail").path("tags"))).containsExactly("customer:jones");
    }

    @Test
    void decommissioningWritesOneEntryEachTimeItIsAsked() {
        String id = Api.enrollInstance("Home");
        admin().body(Map.of("tags", List.of("customer:smith"))).patch("/instances/" + id).then().statusCode(200);
        long head = table.head();
        admin().delete("/instances/" + id).then().statusCode(204);
        JsonNode entry = exactlyOne(table, head, "DELETE /instances/{id}");
        assertThat(entry.path("target_id").asText()).isEqualTo(id);
        assertThat(texts(entry.path("target_tags"))).containsExactly("customer:smith");
        assertThat(entry.path("detail").path("alreadyDecommissioned").asBoolean()).isFalse();
        head = table.head();
        admin().delete("/instances/" + id).then().statusCode(204);
        assertThat(exactlyOne(table, head, "DELETE /instances/{id}").path("detail").path("alreadyDecommissioned")
                .asBoolean()).isTrue();
    }

    @Test
    void aCommandToOneInstanceWritesOneEntryWithItsTags() {
        String id = Api.enrollInstance("Home");
        admin().body(Map.of("tags", List.of("customer:smith"))).patch("/instances/" + id).then().statusCode(200);
        long head = table.head();
        String commandId = admin().body(Map.of("command", "restart")).post("/instances/" + id + "/commands").then()
                .statusCode(202).extract().path("id");
        JsonNode entry = exactlyOne(table, head, "POST /instances/{id}/commands");
        assertThat(entry.path("target_type").asText()).isEqualTo("command");
        assertThat(entry.path("target_id").asText()).isEqualTo(commandId);
        assertThat(texts(entry.path("target_tags"))).containsExactly("customer:smith");
        assertThat(entry.path("detail").path("command").asText()).isEqualTo("restart");
        assertThat(entry.path("detail").path("instanceId").asText()).isEqualTo(id);
    }

    @Test
    void aBulkCommandWritesOneEntryWithItsCountAndEveryTargetsTags() {
        for (String tag : List.of("customer:smith", "customer:jones", "customer:brown")) {
            String id = Api.enrollInstance("Home of " + tag);
            admin().body(Map.of("tags", List.of(tag, "north"))).patch("/instances/" + id).then().statusCode(200);
        }
        long head = table.head();
        String batchId = admin().body(Map.of("command", "check_updates", "target", Map.of("tags", List.of("north"))))
                .post("/commands").then().statusCode(202).extract().path("batchId");
        JsonNode entry = exactlyOne(table, head, "POST /commands");
        assertThat(entry.path("target_type").asText()).isEqualTo("command_batch");
        assertThat(entry.path("target_id").asText()).isEqualTo(batchId);
        assertThat(texts(entry.path("target_tags")))
                .containsExactly("customer:brown", "customer:jones", "customer:smith", "north");
        assertThat(entry.path("detail").path("targets").asInt()).isEqualTo(3);
        assertThat(entry.path("detail").path("command").asText()).isEqualTo("check_updates");
    }

    /** A change that fails writes nothing: its transaction, the entry's too, rolled back or never began. */
    @Test
    void aChangeThatFailsWritesNoEntry() {
        String live = Api.enrollInstance("Live");
        String gone = Api.enrollInstance("Gone");
        admin().delete("/instances/" + gone).then().statusCode(204);
        String usedCodeId = admin().get("/enrollment-codes").then().extract().path("items[0].id");
        String unknown = UUID.randomUUID().toString();

        failsWithoutEntry(404, () -> admin().body(Map.of("name", "x")).patch("/instances/" + unknown));
        failsWithoutEntry(409, () -> admin().body(Map.of("name", "x")).patch("/instances/" + gone));
        failsWithoutEntry(400, () -> admin().body(Map.of("name", "")).patch("/instances/" + live));
        failsWithoutEntry(404, () -> admin().delete("/instances/" + unknown));
        failsWithoutEntry(404, () -> admin().body(Map.of("command", "restart")).post("/instances/" + unknown
                + "/commands"));
        failsWithoutEntry(409, () -> admin().body(Map.of("command", "restart")).post("/instances/" + gone
                + "/commands"));
        failsWithoutEntry(400, () -> admin().body(Map.of("command", "explode")).post("/instances/" + live
                + "/commands"));
        failsWithoutEntry(400, () -> admin().body(Map.of("command", "restart", "target",
                Map.of("instanceIds", List.of(unknown)))).post("/commands"));
        failsWithoutEntry(409, () -> admin().delete("/enrollment-codes/" + usedCodeId));
        failsWithoutEntry(404, () -> admin().delete("/enrollment-codes/" + unknown));
        failsWithoutEntry(400, () -> admin().body(Map.of("expiresInHours", 0)).post("/enrollment-codes"));
        failsWithoutEntry(400, () -> given().contentType(ContentType.JSON)
                .body(Map.of("code", "000000", "name", "Guess")).post("/enroll"));
        failsWithoutEntry(409, () -> admin().post("/instances/" + live + "/credentials/rotate")); // provisioning off
        assertThat(verifier.verify().ok()).isTrue();
    }

    private void failsWithoutEntry(int status, Supplier<Response> request) {
        long head = table.head();
        request.get().then().statusCode(status);
        assertThat(table.entriesAfter(head)).as("entries after a %d", status).isEmpty();
    }

    @Test
    void neitherTheCodeNorTheAdminTokenReachesAnEntryOrTheLog() {
        long head = table.head();
        String code;
        try (LogCapture log = LogCapture.install()) {
            code = Api.newCode();
            String id = given().contentType(ContentType.JSON).body(Map.of("code", code, "name", "Home"))
                    .post("/enroll").then().statusCode(200).extract().path("instanceId");
            admin().body(Map.of("command", "restart")).post("/instances/" + id + "/commands").then().statusCode(202);
            admin().delete("/instances/" + id).then().statusCode(204);
            assertThat(log.lines()).isNotEmpty().noneMatch(l -> l.contains(code) || l.contains(Api.ADMIN_TOKEN));
        }
        List<JsonNode> written = table.entriesAfter(head);
        assertThat(written).hasSize(4);
        assertThat(written).extracting(AuditedOperationsTest::withoutHashesAndTimes)
                .noneMatch(e -> e.contains(code) || e.contains(Api.ADMIN_TOKEN));
    }

    /** An entry's text without its hashes and time, whose digits could hold any six-digit code by chance. */
    static String withoutHashesAndTimes(JsonNode entry) {
        return ((com.fasterxml.jackson.databind.node.ObjectNode) entry.deepCopy()).without(List.of("hash",
                "prev_hash", "at")).toString();
    }

    static List<String> texts(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
