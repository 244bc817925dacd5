package io.omnii.server.audit;

import static io.omnii.server.audit.AuditedOperations.exactlyOne;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnii.server.account.AccountBootstrap;
import io.omnii.server.auth.BreakGlassAudit;
import io.omnii.server.auth.BreakGlassUsed;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.People.Session;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sign-in, sign-out, users and tokens each write exactly one entry in their change's transaction (a failed sign-in
 * one of its own, a failed change none), and no password, token, cookie or CSRF token ever enters one.
 */
@QuarkusTest
class AuditedAccountsTest extends ServerTest {

    @Inject
    AuditTable table;

    @Inject
    AccountBootstrap bootstrap;

    @Inject
    BreakGlassAudit breakGlass;

    private final List<String> secrets = new ArrayList<>();

    @BeforeEach
    void emptyLog() {
        table.reset();
    }

    @Test
    void everyAccountActionWritesExactlyOneEntryAndNoSecret() {
        long head = table.head();
        Response created = Api.admin().body(Map.of("username", "audrey", "role", "operator")).post("/users");
        String password = created.path("password");
        String id = created.path("user.id");
        secrets.add(password);
        JsonNode entry = exactlyOne(table, head, "POST /users");
        assertThat(entry.path("actor_kind").asText()).isEqualTo("break_glass");
        assertThat(entry.path("target_type").asText()).isEqualTo("user");
        assertThat(entry.path("target_id").asText()).isEqualTo(id);
        assertThat(entry.path("detail").path("passwordGenerated").asBoolean()).isTrue();

        head = table.head();
        Api.admin().body(Map.of("role", "viewer", "scopeTags", List.of("customer:smith"))).patch("/users/" + id)
                .then().statusCode(200);
        entry = exactlyOne(table, head, "PATCH /users/{id}");
        assertThat(entry.path("detail").path("before").path("role").asText()).isEqualTo("operator");
        assertThat(entry.path("detail").path("after").path("role").asText()).isEqualTo("viewer");

        head = table.head();
        Api.admin().body(Map.of("role", "admin")).patch("/users/" + id).then().statusCode(400);
        assertThat(table.entriesAfter(head)).as("a refused change records nothing").isEmpty();

        head = table.head();
        People.signInResponse("audrey", "not the password 1").then().statusCode(401);
        secrets.add("not the password 1");
        List<JsonNode> failed = table.entriesAfter(head);
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).path("action").asText()).isEqualTo("auth.sign_in_failed");
        assertThat(failed.get(0).path("actor_kind").asText()).isEqualTo("anonymous");
        assertThat(failed.get(0).path("target_id").asText()).isEqualTo(id);
        assertThat(failed.get(0).path("detail").path("reason").asText()).isEqualTo("wrong_password");

        head = table.head();
        Response signedIn = People.signInResponse("audrey", password);
        Session s = new Session(signedIn.cookie("omnii_session"), signedIn.path("csrfToken"));
        secrets.add(s.cookie());
        secrets.add(s.csrfToken());
        entry = exactlyOne(table, head, "POST /auth/sign-in");
        assertThat(entry.path("actor_kind").asText()).isEqualTo("user");
        assertThat(entry.path("actor_name").asText()).isEqualTo("audrey");
        assertThat(entry.path("actor_role").asText()).isEqualTo("viewer");

        head = table.head();
        Response token = s.request().body(Map.of("name", "ci")).post("/me/tokens");
        secrets.add(token.path("token"));
        entry = exactlyOne(table, head, "POST /me/tokens");
        assertThat(entry.path("actor_kind").asText()).isEqualTo("user");
        assertThat(entry.path("target_id").asText()).isEqualTo(token.path("details.id").toString());

        head = table.head();
        s.request().delete("/me/tokens/" + token.path("details.id")).then().statusCode(204);
        exactlyOne(table, head, "DELETE /me/tokens/{id}");

        head = table.head();
        Api.admin().delete("/users/" + id + "/tokens/" + token.path("details.id")).then().statusCode(204);
        entry = exactlyOne(table, head, "DELETE /users/{id}/tokens/{tokenId}");
        assertThat(entry.path("detail").path("alreadyRevoked").asBoolean()).isTrue();

        head = table.head();
        s.request().body(Map.of("currentPassword", password, "newPassword", "a changed password 2"))
                .post("/me/password").then().statusCode(204);
        secrets.add("a changed password 2");
        entry = exactlyOne(table, head, "POST /me/password");
        assertThat(entry.path("detail").path("passwordChanged").asBoolean()).isTrue();

        head = table.head();
        s.request().post("/auth/sign-out").then().statusCode(204);
        exactlyOne(table, head, "POST /auth/sign-out");
        head = table.head();
        s.request().post("/auth/sign-out").then().statusCode(204);
        assertThat(table.entriesAfter(head)).as("signing out of no session records nothing").isEmpty();

        head = table.head();
        secrets.add(Api.admin().post("/users/" + id + "/password").then().statusCode(200).extract().path("password"));
        exactlyOne(table, head, "POST /users/{id}/password");

        head = table.head();
        db.execute("TRUNCATE user_account CASCADE");
        bootstrap.bootstrap();
        secrets.add("bootstrap password 0123");
        List<JsonNode> boot = table.entriesAfter(head);
        assertThat(boot).hasSize(1);
        assertThat(boot.get(0).path("action").asText()).isEqualTo("user.create");
        assertThat(boot.get(0).path("actor_kind").asText()).isEqualTo("system");

        head = table.head();
        breakGlass.record(new BreakGlassUsed("192.0.2.7", "glass-req", Instant.now()));
        List<JsonNode> glass = table.entriesAfter(head);
        assertThat(glass).hasSize(1);
        assertThat(glass.get(0).path("action").asText()).isEqualTo("auth.break_glass_used");
        assertThat(glass.get(0).path("actor_kind").asText()).isEqualTo("break_glass");
        assertThat(glass.get(0).path("address").asText()).isEqualTo("192.0.2.7");
        assertThat(glass.get(0).path("request_id").asText()).isEqualTo("glass-req");

        secrets.add(Api.ADMIN_TOKEN);
        String all = table.entriesAfter(0).toString();
        for (String secret : secrets) {
            assertThat(all).as("the audit log holds a secret").doesNotContain(secret);
        }
    }

    @Test
    void aLockedSignInRecordsNothingSoAFloodCannotFillTheLog() {
        for (int i = 0; i < 10; i++) {
            People.signInResponse("nobody-here", "wrong password").then().statusCode(401);
        }
        long head = table.head();
        for (int i = 0; i < 5; i++) {
            People.signInResponse("nobody-here", "wrong password").then().statusCode(429);
        }
        assertThat(table.entriesAfter(head)).isEmpty();
        assertThat(table.count()).isEqualTo(10);
    }
}
