package io.omnii.server.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.People.Session;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PersonalTokenTest extends ServerTest {

    @Test
    void aTokenIsShownOnceStoredAsItsDigestAndWorksAsABearerToken() {
        People.user("olga", "operator");
        Session s = People.signIn("olga");
        Response created = s.request().body(Map.of("name", "ci")).post("/me/tokens");
        created.then().statusCode(201).body("details.name", equalTo("ci")).body("details.role", nullValue());
        String token = created.path("token");
        assertThat(token).startsWith("omnii_pat_").hasSize("omnii_pat_".length() + 43);
        assertThat(db.count("SELECT count(*) FROM personal_token WHERE token_hash = sha256('" + token + "'::bytea)"))
                .isEqualTo(1);

        People.bearer(token).get("/me").then().statusCode(200).body("kind", equalTo("token"))
                .body("role", equalTo("operator")).body("user.username", equalTo("olga"));
        People.bearer(token).body("{}").post("/enrollment-codes").then().statusCode(201);
        // Listed without the token itself.
        s.request().get("/me/tokens").then().statusCode(200).body("size()", equalTo(1))
                .body("[0].token", nullValue()).body("[0].lastUsedAt", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void anExpiredTokenIsRefused() {
        People.user("pia", "viewer");
        Session s = People.signIn("pia");
        long in = clock.millis() + Duration.ofHours(1).toMillis();
        String token = s.request().body(Map.of("name", "short", "expiresAt", in)).post("/me/tokens").then()
                .statusCode(201).extract().path("token");
        People.bearer(token).get("/instances").then().statusCode(200);
        clock.advance(Duration.ofMinutes(61));
        People.bearer(token).get("/instances").then().statusCode(401).body("error", equalTo("unauthorized"));
    }

    @Test
    void aRevokedTokenIsRefusedAtOnce() {
        People.user("quinn", "viewer");
        Session s = People.signIn("quinn");
        Response created = s.request().body(Map.of("name", "laptop")).post("/me/tokens");
        String token = created.path("token");
        String id = created.path("details.id");
        People.bearer(token).get("/instances").then().statusCode(200);
        s.request().delete("/me/tokens/" + id).then().statusCode(204);
        People.bearer(token).get("/instances").then().statusCode(401);
        s.request().get("/me/tokens").then().body("[0].revokedAt", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void anAdminRevokesAnotherUsersTokenAndNobodyElseCan() {
        String id = People.user("rita", "viewer");
        Session s = People.signIn("rita");
        Response created = s.request().body(Map.of("name", "x")).post("/me/tokens");
        String tokenId = created.path("details.id");
        People.user("sam", "viewer");
        People.signIn("sam").request().delete("/me/tokens/" + tokenId).then().statusCode(404);
        People.bearer((String) created.path("token")).get("/instances").then().statusCode(200);
        Api.admin().get("/users/" + id + "/tokens").then().statusCode(200).body("[0].id", equalTo(tokenId));
        Api.admin().delete("/users/" + id + "/tokens/" + tokenId).then().statusCode(204);
        People.bearer((String) created.path("token")).get("/instances").then().statusCode(401);
    }

    @Test
    void aDisabledOwnersTokensStopAtOnceAndWorkAgainWhenEnabled() {
        String token = People.token("tom", "operator");
        String id = Api.admin().get("/users").then().extract().path("items.find { it.username == 'tom' }.id");
        People.bearer(token).get("/instances").then().statusCode(200);
        Api.admin().body(Map.of("disabled", true)).patch("/users/" + id).then().statusCode(200);
        People.bearer(token).get("/instances").then().statusCode(401);
        Api.admin().body(Map.of("disabled", false)).patch("/users/" + id).then().statusCode(200);
        People.bearer(token).get("/instances").then().statusCode(200);
    }

    @Test
    void aTokensRoleIsAtMostItsOwnersNowAndItsScopeWithinTheOwners() {
        String id = People.user("uma", "operator", "customer:smith", "customer:jones");
        Session s = People.signIn("uma");
        s.request().body(Map.of("name", "too strong", "role", "admin")).post("/me/tokens").then().statusCode(400)
                .body("violations[0].field", equalTo("role"));
        s.request().body(Map.of("name", "too wide", "scopeTags", List.of("customer:other"))).post("/me/tokens")
                .then().statusCode(400).body("violations[0].field", equalTo("scopeTags"));
        s.request().body(Map.of("name", "unscoped", "scopeTags", List.of())).post("/me/tokens")
                .then().statusCode(400).body("violations[0].field", equalTo("scopeTags"));

        String viewerToken = s.request().body(Map.of("name", "read only", "role", "viewer")).post("/me/tokens")
                .then().statusCode(201).extract().path("token");
        People.bearer(viewerToken).get("/me").then().body("role", equalTo("viewer"));
        People.bearer(viewerToken).body("{}").post("/enrollment-codes").then().statusCode(403);

        String smithToken = s.request().body(Map.of("name", "smith", "scopeTags", List.of("customer:smith")))
                .post("/me/tokens").then().statusCode(201).extract().path("token");
        People.bearer(smithToken).get("/me").then().body("role", equalTo("operator"))
                .body("scopeTags", equalTo(List.of("customer:smith")));
        String ownToken = s.request().body(Map.of("name", "mine")).post("/me/tokens").then().statusCode(201)
                .extract().path("token");
        String operatorToken = s.request().body(Map.of("name", "explicit", "role", "operator")).post("/me/tokens")
                .then().statusCode(201).extract().path("token");
        People.bearer(ownToken).get("/me").then().body("scopeTags", equalTo(List.of("customer:jones", "customer:smith")));

        // The owner is demoted and narrowed: every token follows on its next request.
        Api.admin().body(Map.of("role", "viewer", "scopeTags", List.of("customer:smith"))).patch("/users/" + id)
                .then().statusCode(200);
        People.bearer(ownToken).get("/me").then().body("role", equalTo("viewer"))
                .body("scopeTags", equalTo(List.of("customer:smith")));
        People.bearer(ownToken).body("{}").post("/enrollment-codes").then().statusCode(403);
        // A token made with the owner's role explicitly does not keep it past the owner's demotion.
        People.bearer(operatorToken).get("/me").then().body("role", equalTo("viewer"));
        People.bearer(operatorToken).body("{}").post("/enrollment-codes").then().statusCode(403);
        People.bearer(smithToken).get("/me").then().body("role", equalTo("viewer"));
        // A token whose tags the owner no longer has reaches nothing: refused rather than widened.
        Api.admin().body(Map.of("scopeTags", List.of("customer:jones"))).patch("/users/" + id).then().statusCode(200);
        People.bearer(smithToken).get("/me").then().statusCode(401);
    }

    @Test
    void anAdminCannotMakeAScopedAdminToken() {
        People.user("ada", "admin");
        Session s = People.signIn("ada");
        List<String> smith = List.of("customer:smith");
        s.request().body(Map.of("name", "scoped own role", "scopeTags", smith)).post("/me/tokens").then()
                .statusCode(400).body("error", equalTo("validation_failed"))
                .body("violations[0].field", equalTo("scopeTags"));
        s.request().body(Map.of("name", "scoped admin", "role", "admin", "scopeTags", smith)).post("/me/tokens")
                .then().statusCode(400).body("violations[0].field", equalTo("scopeTags"));
        String operator = s.request().body(Map.of("name", "scoped operator", "role", "operator", "scopeTags", smith))
                .post("/me/tokens").then().statusCode(201).extract().path("token");
        People.bearer(operator).get("/me").then().body("role", equalTo("operator")).body("scopeTags", equalTo(smith));
        People.bearer(operator).get("/users").then().statusCode(403);
    }

    @Test
    void aScopedTokenOfAnOwnerPromotedToAdminActsAsAnOperatorAtMost() {
        String id = People.user("bert", "operator", "customer:smith");
        String token = People.signIn("bert").request().body(Map.of("name", "own role")).post("/me/tokens").then()
                .statusCode(201).extract().path("token");
        Api.admin().body(Map.of("role", "admin", "scopeTags", List.of())).patch("/users/" + id).then().statusCode(200);
        People.bearer(token).get("/me").then().statusCode(200).body("role", equalTo("operator"))
                .body("scopeTags", equalTo(List.of("customer:smith")));
        People.bearer(token).get("/users").then().statusCode(403);
        // The owner's own session is the unscoped admin.
        People.signIn("bert").request().get("/users").then().statusCode(200);
    }

    @Test
    void aTokenExpiresInTheFutureAndAtMostTenYearsAhead() {
        People.user("cleo", "viewer");
        Session s = People.signIn("cleo");
        // The test clock runs on from real time: an hour either side of the limit stays on its side.
        long tenYears = clock.instant().atOffset(ZoneOffset.UTC).plusYears(10).toInstant().toEpochMilli();
        long hour = Duration.ofHours(1).toMillis();
        for (long expiresAt : new long[] { clock.millis() - 1, tenYears + hour, Long.MAX_VALUE, Long.MIN_VALUE }) {
            s.request().body(Map.of("name", "x", "expiresAt", expiresAt)).post("/me/tokens").then().statusCode(400)
                    .body("error", equalTo("validation_failed")).body("violations[0].field", equalTo("expiresAt"));
        }
        s.request().body(Map.of("name", "long", "expiresAt", tenYears - hour)).post("/me/tokens").then()
                .statusCode(201).body("details.expiresAt", equalTo(tenYears - hour));
    }

    @Test
    void anAccountHoldsAtMostAHundredLiveTokens() {
        People.user("dora", "viewer");
        Session s = People.signIn("dora");
        String first = null;
        for (int i = 0; i < 99; i++) {
            String id = s.request().body(Map.of("name", "t" + i)).post("/me/tokens").then().statusCode(201).extract()
                    .path("details.id");
            first = first == null ? id : first;
        }
        long soon = clock.millis() + Duration.ofMinutes(5).toMillis();
        s.request().body(Map.of("name", "short", "expiresAt", soon)).post("/me/tokens").then().statusCode(201);
        s.request().body(Map.of("name", "one too many")).post("/me/tokens").then().statusCode(409)
                .body("error", equalTo("too_many_tokens"));
        // Revoked and expired tokens do not count.
        s.request().delete("/me/tokens/" + first).then().statusCode(204);
        s.request().body(Map.of("name", "after revoking")).post("/me/tokens").then().statusCode(201);
        clock.advance(Duration.ofMinutes(6));
        s = People.signIn("dora");
        s.request().body(Map.of("name", "after expiry")).post("/me/tokens").then().statusCode(201);
        s.request().body(Map.of("name", "full again")).post("/me/tokens").then().statusCode(409);
    }

    @Test
    void aTokenMakesNoTokenThatOutlivesIt() {
        People.user("vic", "operator");
        long in = clock.millis() + Duration.ofHours(2).toMillis();
        String parent = People.signIn("vic").request().body(Map.of("name", "parent", "expiresAt", in))
                .post("/me/tokens").then().statusCode(201).extract().path("token");
        People.bearer(parent).body(Map.of("name", "later", "expiresAt", in + 1)).post("/me/tokens").then()
                .statusCode(400).body("violations[0].field", equalTo("expiresAt"));
        People.bearer(parent).body(Map.of("name", "child")).post("/me/tokens").then().statusCode(201)
                .body("details.expiresAt", equalTo(in)).body("details.role", equalTo("operator"));
    }

    @Test
    void lastUsedIsWrittenAtMostOnceAMinute() {
        String token = People.token("wes", "viewer");
        People.bearer(token).get("/instances").then().statusCode(200);
        String first = "SELECT extract(epoch FROM last_used_at)::bigint FROM personal_token";
        long used = db.count(first);
        clock.advance(Duration.ofSeconds(30));
        People.bearer(token).get("/instances").then().statusCode(200);
        assertThat(db.count(first)).isEqualTo(used);
        clock.advance(Duration.ofSeconds(31));
        People.bearer(token).get("/instances").then().statusCode(200);
        assertThat(db.count(first)).isGreaterThanOrEqualTo(used + 60);
    }

    @Test
    void theBreakGlassTokenHasNoAccountToKeepTokensIn() {
        Api.admin().get("/me").then().statusCode(200).body("kind", equalTo("break_glass")).body("user", nullValue());
        Api.admin().body(Map.of("name", "x")).post("/me/tokens").then().statusCode(409)
                .body("error", equalTo("no_account"));
    }
}
