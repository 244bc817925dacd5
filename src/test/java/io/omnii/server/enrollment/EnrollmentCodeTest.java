package io.omnii.server.enrollment;

import static io.omnii.server.testsupport.Api.ADMIN_TOKEN;
import static io.omnii.server.testsupport.Api.admin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
class EnrollmentCodeTest extends ServerTest {

    @Test
    void newCodeHasTheGuidesFieldsAndSixDigits() throws IOException {
        long before = System.currentTimeMillis();
        Response response = admin().body("{\"expiresInHours\": 24}").post("/enrollment-codes");
        response.then().statusCode(201)
                .body("code", matchesPattern("\\d{6}"))
                .body("id", matchesPattern("[0-9a-f-]{36}"));
        long expiresAt = response.jsonPath().getLong("expiresAt");
        assertThat(expiresAt).isBetween(before + Duration.ofHours(24).toMillis(),
                System.currentTimeMillis() + Duration.ofHours(24).toMillis());
        assertThat(fieldNames(new ObjectMapper().readTree(response.asString())))
                .isEqualTo(fieldNames(fixture("contract/enrollment-code-response.json")));
    }

    @Test
    void missingBodyOrFieldMeansTwentyFourHours() {
        for (Response r : new Response[] { admin().post("/enrollment-codes"), admin().body("{}").post("/enrollment-codes") }) {
            r.then().statusCode(201);
            long hours = Duration.ofMillis(r.jsonPath().getLong("expiresAt") - System.currentTimeMillis()).toMinutes();
            assertThat(hours).isBetween(23 * 60L + 59, 24 * 60L);
        }
    }

    @Test
    void expiresInHoursIsHonoured() {
        long expiresAt = admin().body("{\"expiresInHours\": 720}").post("/enrollment-codes")
                .then().statusCode(201).extract().jsonPath().getLong("expiresAt");
        assertThat(Duration.ofMillis(expiresAt - System.currentTimeMillis()).toHours()).isEqualTo(719);
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "-1", "721", "100000" })
    void expiresInHoursOutsideOneTo720IsRejected(String hours) {
        admin().body("{\"expiresInHours\": " + hours + "}").post("/enrollment-codes")
                .then().statusCode(400)
                .body("error", equalTo("validation_failed"))
                .body("violations.field", hasItem("expiresInHours"));
        assertThat(db.count("SELECT count(*) FROM enrollment_code")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = { "\"24\"", "1.5", "true", "[24]" })
    void expiresInHoursOfTheWrongTypeIsRejected(String value) {
        admin().body("{\"expiresInHours\": " + value + "}").post("/enrollment-codes")
                .then().statusCode(400)
                .body("error", equalTo("validation_failed"))
                .body("violations[0].field", equalTo("expiresInHours"));
    }

    @Test
    void codeIsStoredOnlyAsAKeyedHash() {
        String code = Api.newCode();
        assertThat(db.count("SELECT count(*) FROM enrollment_code WHERE code_hash LIKE '%" + code + "%'")).isZero();
        assertThat(db.count("SELECT count(*) FROM enrollment_code WHERE length(code_hash) = 64")).isEqualTo(1);
        // Not a plain SHA-256 either: that would fall to trying all 10^6 codes.
        assertThat(db.count("SELECT count(*) FROM enrollment_code WHERE code_hash = encode(sha256('" + code
                + "'::bytea), 'hex')")).isZero();
    }

    @Test
    void liveCodesAreUnique() {
        Set<String> codes = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            codes.add(Api.newCode());
        }
        assertThat(codes).hasSize(200);
    }

    @Test
    void listingShowsStateButNeverTheCode() {
        String code = Api.newCode();
        String revokedId = admin().body("{}").post("/enrollment-codes").then().extract().path("id");
        admin().delete("/enrollment-codes/" + revokedId).then().statusCode(204);
        String usedCode = Api.newCode();
        String instanceId = given().contentType(ContentType.JSON).body(Map.of("code", usedCode, "name", "Kitchen"))
                .post("/enroll").then().statusCode(200).extract().path("instanceId");

        Response list = admin().get("/enrollment-codes");
        list.then().statusCode(200)
                .body("total", equalTo(3))
                .body("items.find { it.id == '" + revokedId + "' }.state", equalTo("revoked"))
                .body("items.find { it.id == '" + revokedId + "' }.revokedAt", notNullValue())
                .body("items.find { it.instanceId == '" + instanceId + "' }.state", equalTo("used"))
                .body("items.find { it.instanceId == '" + instanceId + "' }.usedAt", notNullValue())
                .body("items.findAll { it.state == 'active' }.size()", equalTo(1));
        assertThat(list.asString()).doesNotContain(code).doesNotContain(usedCode).doesNotContain("\"code\"");
    }

    @Test
    void listingShowsExpiredCodesAsExpired() {
        admin().body("{\"expiresInHours\": 1}").post("/enrollment-codes").then().statusCode(201);
        clock.advance(Duration.ofMinutes(61));
        admin().get("/enrollment-codes").then().body("items[0].state", equalTo("expired"));
    }

    @Test
    void codeMadeUnderAnotherAdminTokenIsListedVoidAndCannotEnroll() {
        String code = Api.newCode();
        // The row a server with another admin token would have written for this code: what a restart with a new
        // token leaves behind.
        CodeHasher earlier = new CodeHasher(new DerivedKey(), () -> Optional.of("an-earlier-admin-token-0123456789"));
        db.execute("UPDATE enrollment_code SET code_hash = '" + earlier.hash(code) + "', key_id = '" + earlier.keyId()
                + "'");

        admin().get("/enrollment-codes").then().statusCode(200).body("items[0].state", equalTo("void"));
        given().contentType(ContentType.JSON).body(Map.of("code", code, "name", "Attic")).post("/enroll")
                .then().statusCode(400).body("error", equalTo("invalid_enrollment_code"));
    }

    @Test
    void codeFromBeforeKeyFingerprintsKeepsItsState() {
        String code = Api.newCode();
        db.execute("UPDATE enrollment_code SET key_id = NULL");

        admin().get("/enrollment-codes").then().body("items[0].state", equalTo("active"));
        given().contentType(ContentType.JSON).body(Map.of("code", code, "name", "Attic")).post("/enroll")
                .then().statusCode(200);
    }

    @Test
    void keyFingerprintIsStoredAndNeverTheKey() {
        Api.newCode();
        assertThat(db.count("SELECT count(*) FROM enrollment_code WHERE length(key_id) = 16")).isEqualTo(1);
        CodeHasher current = new CodeHasher(new DerivedKey(), () -> Optional.of(ADMIN_TOKEN));
        assertThat(db.count("SELECT count(*) FROM enrollment_code WHERE key_id = '" + current.keyId() + "'"))
                .isEqualTo(1);
        assertThat(current.keyId()).isNotEqualTo(new CodeHasher(new DerivedKey(),
                () -> Optional.of("an-earlier-admin-token-0123456789")).keyId());
    }

    @Test
    void revokingUnknownCodeIs404AndUsedCodeIs409() {
        admin().delete("/enrollment-codes/00000000-0000-0000-0000-000000000000").then().statusCode(404)
                .body("error", equalTo("not_found"));
        admin().delete("/enrollment-codes/not-an-id").then().statusCode(404);
        String code = Api.newCode();
        String id = admin().get("/enrollment-codes").then().extract().path("items[0].id");
        given().contentType(ContentType.JSON).body(Map.of("code", code, "name", "Garage")).post("/enroll")
                .then().statusCode(200);
        admin().delete("/enrollment-codes/" + id).then().statusCode(409).body("error", equalTo("code_already_used"));
    }

    @Test
    void revokingTwiceIsHarmless() {
        String id = admin().body("{}").post("/enrollment-codes").then().extract().path("id");
        admin().delete("/enrollment-codes/" + id).then().statusCode(204);
        admin().delete("/enrollment-codes/" + id).then().statusCode(204);
    }

    /** Configuration without a code-hash key: the key derives from the admin token, as in the local run. */
    private static final class DerivedKey implements EnrollmentConfig {
        @Override
        public int defaultExpiryHours() {
            return 24;
        }

        @Override
        public int maxExpiryHours() {
            return 720;
        }

        @Override
        public Optional<String> codeHashKey() {
            return Optional.empty();
        }

        @Override
        public Throttle throttle() {
            throw new UnsupportedOperationException();
        }
    }

    static JsonNode fixture(String path) throws IOException {
        try (InputStream in = EnrollmentCodeTest.class.getClassLoader().getResourceAsStream(path)) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** Every field name in the document, nested ones as a.b. */
    static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        collect(node, "", names);
        return names;
    }

    private static void collect(JsonNode node, String prefix, Set<String> names) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            names.add(prefix + field.getKey());
            collect(field.getValue(), prefix + field.getKey() + ".", names);
        }
    }
}
