package io.omnii.server.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.People.Session;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Passwords, tokens, session cookies and CSRF tokens never reach the log, whatever the outcome. */
@QuarkusTest
class SecretsNeverLoggedTest extends ServerTest {

    @Inject
    AccountBootstrap bootstrap;

    @Test
    void noSecretOfAnAccountAppearsInTheLog() {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = record.getMessage();
                Object[] parameters = record.getParameters();
                if (parameters != null) {
                    message += " " + java.util.Arrays.toString(parameters);
                }
                lines.add(message + (record.getThrown() == null ? "" : " " + record.getThrown()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            bootstrap.bootstrap();
            Response created = Api.admin().body(Map.of("username", "logan", "role", "operator")).post("/users");
            String generated = created.path("password");
            String id = created.path("user.id");
            People.signInResponse("logan", "a wrong password 1").then().statusCode(401);
            Response signedIn = People.signInResponse("logan", generated);
            Session s = new Session(signedIn.cookie("omnii_session"), signedIn.path("csrfToken"));
            String token = s.request().body(Map.of("name", "ci")).post("/me/tokens").then().statusCode(201).extract()
                    .path("token");
            People.bearer(token).get("/me").then().statusCode(200);
            s.request().body(Map.of("currentPassword", generated, "newPassword", "a changed password 2"))
                    .post("/me/password").then().statusCode(204);
            String reset = Api.admin().post("/users/" + id + "/password").then().statusCode(200).extract()
                    .path("password");
            s.request().post("/auth/sign-out");

            assertThat(lines).as("what the server logged").isNotEmpty();
            for (String secret : List.of(generated, "a wrong password 1", "a changed password 2", reset, token,
                    s.cookie(), s.csrfToken(), "bootstrap password 0123", Api.ADMIN_TOKEN)) {
                assertThat(lines).as("log lines holding a secret").noneMatch(line -> line.contains(secret));
            }
        } finally {
            root.removeHandler(capture);
        }
    }
}
