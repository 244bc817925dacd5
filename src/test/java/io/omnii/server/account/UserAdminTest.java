package io.omnii.server.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.People.Session;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class UserAdminTest extends ServerTest {

    @Inject
    AccountBootstrap bootstrap;

    @Test
    void aUserWithoutAPasswordGetsAGeneratedOneShownOnceAndStoredAsArgon2id() {
        Response r = Api.admin().body(Map.of("username", "Alice", "displayName", "Alice A.", "role", "viewer"))
                .post("/users");
        r.then().statusCode(201).body("user.username", equalTo("Alice")).body("user.displayName", equalTo("Alice A."))
                .body("user.disabled", equalTo(false)).body("user.lastSignInAt", nullValue());
        String password = r.path("password");
        assertThat(password).hasSize(20);
        assertThat(db.count("SELECT count(*) FROM user_account WHERE password_hash LIKE '$argon2id$v=19$m=19456,t=2,p=1$%'"))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM user_account WHERE password_hash LIKE '%" + password + "%'")).isZero();
        People.signInResponse("alice", password).then().statusCode(200);
        // Shown once: neither the user nor the listing carries it.
        Api.admin().get("/users").then().statusCode(200).body("items", hasSize(1))
                .body("items[0].password", nullValue()).body("items[0].lastSignInAt", org.hamcrest.Matchers.notNullValue());
        // With a password given, none is answered.
        Api.admin().body(Map.of("username", "bob", "role", "viewer", "password", People.PASSWORD)).post("/users")
                .then().statusCode(201).body("password", nullValue());
    }

    @Test
    void usernamesAreUniqueWhateverTheirCase() {
        People.user("carol", "viewer");
        Api.admin().body(Map.of("username", "CAROL", "role", "viewer")).post("/users").then().statusCode(409)
                .body("error", equalTo("username_taken"));
    }

    @Test
    void badUsersAreRefusedWith400() {
        for (Map<String, Object> body : List.<Map<String, Object>>of(
                Map.of("username", "a b", "role", "viewer"),
                Map.of("username", "x".repeat(65), "role", "viewer"),
                Map.of("username", "-dash", "role", "viewer"),
                Map.of("username", "ok", "role", "root"),
                Map.of("username", "ok", "role", "viewer", "password", "short"),
                Map.of("username", "ok", "role", "viewer", "password", "x".repeat(257)),
                Map.of("username", "ok", "role", "viewer", "scopeTags", List.of("bad tag")))) {
            Api.admin().body(body).post("/users").then().statusCode(400).body("error", equalTo("validation_failed"));
        }
        assertThat(db.count("SELECT count(*) FROM user_account")).isZero();
    }

    @Test
    void anAdminCannotBeScopedBecauseAnAdminCanChangeTags() {
        Api.admin().body(Map.of("username", "dan", "role", "admin", "scopeTags", List.of("customer:smith")))
                .post("/users").then().statusCode(400).body("violations[0].field", equalTo("scopeTags"));
        String id = People.user("erin", "operator", "customer:smith");
        Api.admin().body(Map.of("role", "admin")).patch("/users/" + id).then().statusCode(400)
                .body("violations[0].field", equalTo("scopeTags"));
        Api.admin().body(Map.of("role", "admin", "scopeTags", List.of())).patch("/users/" + id).then()
                .statusCode(200).body("role", equalTo("admin")).body("scopeTags", hasSize(0));
    }

    @Test
    void theLastEnabledAdminCanBeNeitherDisabledNorDemoted() {
        String first = People.user("fay", "admin");
        Api.admin().body(Map.of("disabled", true)).patch("/users/" + first).then().statusCode(409)
                .body("error", equalTo("last_admin"));
        Api.admin().body(Map.of("role", "operator")).patch("/users/" + first).then().statusCode(409);
        String second = People.user("gus", "admin");
        Api.admin().body(Map.of("role", "operator")).patch("/users/" + first).then().statusCode(200);
        Api.admin().body(Map.of("disabled", true)).patch("/users/" + second).then().statusCode(409);
    }

    @Test
    void aResetGivesANewPasswordOnceAndEndsTheUsersSessions() {
        String id = People.user("hal", "viewer");
        Session s = People.signIn("hal");
        String password = Api.admin().post("/users/" + id + "/password").then().statusCode(200).extract()
                .path("password");
        s.request().get("/me").then().statusCode(401);
        People.signInResponse("hal", People.PASSWORD).then().statusCode(401);
        People.signInResponse("hal", password).then().statusCode(200);
    }

    @Test
    void aUserChangesTheirPasswordWithTheCurrentOneAndTheirOtherSessionsEnd() {
        People.user("ivy", "viewer");
        Session here = People.signIn("ivy");
        Session elsewhere = People.signIn("ivy");
        here.request().body(Map.of("currentPassword", "wrong password", "newPassword", "a new long password"))
                .post("/me/password").then().statusCode(400).body("violations[0].field", equalTo("currentPassword"));
        here.request().body(Map.of("currentPassword", People.PASSWORD, "newPassword", "short"))
                .post("/me/password").then().statusCode(400).body("violations[0].field", equalTo("newPassword"));
        here.request().body(Map.of("currentPassword", People.PASSWORD, "newPassword", "a new long password"))
                .post("/me/password").then().statusCode(204);
        here.request().get("/me").then().statusCode(200);
        elsewhere.request().get("/me").then().statusCode(401);
        People.signInResponse("ivy", "a new long password").then().statusCode(200);
    }

    @Test
    void theFirstAdminComesFromConfigurationOnlyWhileThereIsNoUser() {
        // The test profile configures omnii.accounts.bootstrap; the tests' clean slate emptied the table.
        assertThat(bootstrap.bootstrap()).isTrue();
        assertThat(db.count("SELECT count(*) FROM user_account WHERE username = 'root' AND role = 'admin'"))
                .isEqualTo(1);
        People.signInResponse("root", "bootstrap password 0123").then().statusCode(200)
                .body("user.role", equalTo("admin"));
        assertThat(bootstrap.bootstrap()).isFalse();
        assertThat(db.count("SELECT count(*) FROM user_account")).isEqualTo(1);
    }

    @Test
    void theFirstAdminIsCreatedOnceWhenReplicasStartTogether() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Boolean>> runs = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(bootstrap::bootstrap));
            }
            int created = 0;
            for (var run : runs) {
                created += run.get() ? 1 : 0;
            }
            assertThat(created).isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM user_account")).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
