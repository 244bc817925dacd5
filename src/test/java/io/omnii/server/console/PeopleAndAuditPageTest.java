package io.omnii.server.console;

import static io.omnii.server.console.FormRequests.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.Browser;
import io.omnii.server.testsupport.People;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

@QuarkusTest
class PeopleAndAuditPageTest extends BrowserTest {

    private static final String NEW_PASSWORD = "a much better password";

    @Test
    void anAdminMakesAUserOnThePageWhoCanThenSignInAndManagesTheirAccount() {
        People.user("root", "admin");
        Browser b = browser();
        b.go("/console/people").signIn("root");
        b.find(By.id("user-username")).sendKeys("nina");
        new Select(b.find(By.id("user-role"))).selectByValue("operator");
        b.find(By.id("user-scope")).sendKeys("acme, globex");
        b.find(By.id("user-password")).sendKeys(NEW_PASSWORD);
        b.find(By.cssSelector("#new-user-form button[type=submit]")).click();
        assertThat(b.find(By.id("created-user")).getText()).contains("nina can sign in now");
        assertThat(b.all(By.id("new-user-password"))).isEmpty(); // the admin chose it: nothing to show
        waitForText(b, By.id("users"), "nina");
        b.screenshots("people");
        People.signInResponse("nina", NEW_PASSWORD).then().statusCode(200);

        // A token of hers, revoked by the admin on her page.
        var signedIn = People.signInResponse("nina", NEW_PASSWORD);
        String token = new People.Session(signedIn.cookie("omnii_session"), signedIn.path("csrfToken")).request()
                .body(Map.of("name", "her script")).post("/me/tokens").then().statusCode(201).extract().path("token");
        b.find(By.linkText("nina")).click();
        assertThat(b.find(By.id("tokens")).getText()).contains("her script");
        b.find(By.cssSelector("#tokens button.danger")).click();
        b.waitUntil(ExpectedConditions.alertIsPresent()).accept();
        waitForText(b, By.id("tokens"), "revoked");
        People.bearer(token).get("/me").then().statusCode(401);

        // A new password, shown once, replaces hers.
        b.find(By.id("reset-button")).click();
        b.waitUntil(ExpectedConditions.alertIsPresent()).accept();
        String password = b.find(By.id("new-password")).getText();
        assertThat(password).hasSizeGreaterThan(10);
        People.signInResponse("nina", NEW_PASSWORD).then().statusCode(401);
        People.signInResponse("nina", password).then().statusCode(200);

        // Viewer, whole fleet, disabled: she can no longer sign in.
        new Select(b.find(By.id("account-role"))).selectByValue("viewer");
        b.find(By.id("account-scope")).clear();
        b.find(By.id("account-disabled")).click();
        b.find(By.cssSelector("#account-form button[type=submit]")).click();
        waitForText(b, By.id("account-state"), "disabled");
        Api.admin().get("/users").then().body("items.find { it.username == 'nina' }.role", equalTo("viewer"))
                .body("items.find { it.username == 'nina' }.scopeTags.size()", equalTo(0));
        People.signInResponse("nina", password).then().statusCode(401);
        String nina = Api.admin().get("/users").then().extract().path("items.find { it.username == 'nina' }.id");
        b.go("/console/people/" + nina);
        assertThat(b.driver().getPageSource()).doesNotContain(password);
    }

    @Test
    void aTokenMadeOnTheAccountPageWorksAsABearerAndIsNeverShownAgain() {
        People.user("vic", "viewer");
        Browser b = browser();
        b.go("/console/me").signIn("vic");
        b.find(By.id("token-name")).sendKeys("backup script");
        b.find(By.id("token-days")).sendKeys("30");
        b.find(By.cssSelector("#token-form button[type=submit]")).click();
        String token = b.find(By.id("new-token-value")).getText();
        assertThat(token).startsWith("omnii_pat_");
        waitForText(b, By.id("tokens"), "backup script");
        People.bearer(token).get("/me").then().statusCode(200).body("kind", equalTo("token"))
                .body("user.username", equalTo("vic"));
        b.screenshots("me");

        b.go("/console/me");
        assertThat(b.find(By.id("tokens")).getText()).contains("backup script");
        assertThat(b.driver().getPageSource()).doesNotContain(token);

        b.find(By.cssSelector("#tokens button.danger")).click();
        b.waitUntil(ExpectedConditions.alertIsPresent()).accept();
        waitForText(b, By.id("tokens"), "revoked");
        People.bearer(token).get("/me").then().statusCode(401);

        b.find(By.id("current-password")).sendKeys(People.PASSWORD);
        b.find(By.id("new-password")).sendKeys(NEW_PASSWORD);
        b.find(By.cssSelector("#password-form button[type=submit]")).click();
        assertThat(b.find(By.id("password-changed")).getText()).contains("changed");
        People.signInResponse("vic", NEW_PASSWORD).then().statusCode(200);
        b.go("/console/me"); // this session goes on
        assertThat(b.driver().getCurrentUrl()).endsWith("/console/me");
    }

    @Test
    void theAuditPageListsWhatWasJustDoneFiltersPagesAndShowsTheChainsVerification() {
        emptyAuditLog(); // the log outlives the other tables' reset: count only this test's entries
        People.user("root", "admin");
        People.user("first", "viewer");
        People.user("second", "viewer");
        Browser b = browser();
        b.go("/console/audit").signIn("root");
        String audit = b.find(By.id("audit")).getText();
        assertThat(audit).contains("user.create").contains("auth.sign_in");

        new Select(b.find(By.id("f-action"))).selectByValue("user.create");
        WebElement before = b.find(By.id("audit"));
        b.find(By.cssSelector("#audit-filters button[type=submit]")).click();
        b.waitUntil(ExpectedConditions.stalenessOf(before));
        assertThat(b.driver().getCurrentUrl()).contains("action=user.create");
        assertThat(b.all(By.cssSelector("#audit tbody tr"))).hasSize(3)
                .allMatch(r -> "user.create".equals(r.getAttribute("data-action")));

        // Cursor paging keeps the filter: 3 entries at 2 a page.
        b.go("/console/audit?action=user.create&size=2");
        assertThat(b.all(By.cssSelector("#audit tbody tr"))).hasSize(2);
        before = b.find(By.id("audit"));
        b.find(By.id("audit-older")).click();
        b.waitUntil(ExpectedConditions.stalenessOf(before));
        assertThat(b.driver().getCurrentUrl()).contains("cursor=").contains("action=user.create");
        assertThat(b.all(By.cssSelector("#audit tbody tr"))).hasSize(1)
                .allMatch(r -> "user.create".equals(r.getAttribute("data-action")));
        assertThat(b.find(By.id("audit")).getText()).contains("root"); // the oldest: root was made first

        b.go("/console/audit");
        b.find(By.id("verify-button")).click();
        assertThat(b.find(By.id("verify-result")).getText()).contains("The chain holds");
        b.screenshots("audit");

        // A broken chain says where.
        db.execute("ALTER TABLE audit_entry DISABLE TRIGGER USER; UPDATE audit_entry SET actor_name = 'mallory'"
                + " WHERE seq = (SELECT min(seq) FROM audit_entry); ALTER TABLE audit_entry ENABLE TRIGGER USER");
        b.go("/console/audit");
        b.find(By.id("verify-button")).click();
        assertThat(b.find(By.id("verify-result")).getText()).contains("broken").contains("content changed");
        emptyAuditLog(); // a whole chain again for the tests after this one
    }

    /** As the table's owner could, past its append-only triggers. */
    private void emptyAuditLog() {
        db.execute("ALTER TABLE audit_entry DISABLE TRIGGER USER; TRUNCATE audit_entry;"
                + " ALTER TABLE audit_entry ENABLE TRIGGER USER");
    }

    @Test
    void aViewerSeesNoActionControlsAndForgedChangesAreRefused() {
        People.user("vera", "viewer");
        String root = People.user("root", "admin");
        Browser b = browser();
        b.go("/console/audit").signIn("vera");
        assertThat(b.find(By.id("audit")).isDisplayed()).isTrue();
        assertThat(b.all(By.id("verify-button"))).isEmpty();
        assertThat(b.all(By.cssSelector("nav a[href='/console/people']"))).isEmpty();

        People.Session viewer = People.signIn("vera");
        FormRequests.as(viewer, true).get("/console/people").then().statusCode(403);
        FormRequests.as(viewer, true).get("/console/audit/verify").then().statusCode(403);
        FormRequests.post(viewer, "/console/people", Map.of("username", "x", "role", "admin")).then().statusCode(403);

        People.Session admin = People.signIn("root");
        FormRequests.assertForgeryRefused(FormRequests.as(admin, false)
                .formParams(Map.of("username", "forged", "role", "admin")).post("/console/people"));
        FormRequests.assertForgeryRefused(FormRequests.as(admin, false).formParam("role", "viewer")
                .patch("/console/people/" + root));
        FormRequests.assertForgeryRefused(FormRequests.as(admin, false).post("/console/people/" + root + "/password"));
        FormRequests.assertForgeryRefused(FormRequests.as(viewer, false).formParam("name", "t")
                .post("/console/me/tokens"));
        FormRequests.assertForgeryRefused(FormRequests.as(viewer, false)
                .formParams(Map.of("currentPassword", People.PASSWORD, "newPassword", NEW_PASSWORD))
                .post("/console/me/password"));
        Api.admin().get("/users").then().body("total", equalTo(2));
        People.signInResponse("vera", People.PASSWORD).then().statusCode(200);
    }

    @Test
    void hostileValuesIntoEveryFormAndFilterAreRefusedOrTakenEscapedNeverA5xx() {
        String root = People.user("root", "admin");
        People.user("vera", "viewer");
        People.Session admin = People.signIn("root");
        People.Session viewer = People.signIn("vera");
        Map<String, String> user = Map.of("username", "hostile", "role", "viewer", "password", NEW_PASSWORD);
        for (String value : FormRequests.HOSTILE) {
            String what = " " + value.length() + " " + value.substring(0, Math.min(12, value.length()));
            for (String field : List.of("username", "role", "scopeTags")) {
                FormRequests.assertRefused(FormRequests.post(admin, "/console/people", with(user, field, value)),
                        field + what);
            }
            FormRequests.assertRefusedOrTaken(FormRequests.post(admin, "/console/people",
                    with(user, "displayName", value)), "displayName" + what);
            FormRequests.assertRefusedOrTaken(FormRequests.post(admin, "/console/people",
                    with(Map.of("username", "pw" + value.length(), "role", "viewer"), "password", value)),
                    "password" + what);
            for (String field : List.of("role", "scopeTags")) {
                FormRequests.assertRefused(FormRequests.as(admin, true).formParams(Map.of(field, value))
                        .patch("/console/people/" + root), "patch " + field + what);
            }
            FormRequests.assertRefused(FormRequests.as(admin, true).get("/console/people/x" + value), "user id" + what);
            FormRequests.assertRefused(FormRequests.as(admin, true).post("/console/people/x" + value + "/password"),
                    "reset id" + what);
            FormRequests.assertRefused(FormRequests.as(admin, true).delete("/console/people/" + root + "/tokens/"
                    + "x" + value), "token id" + what);
            FormRequests.assertRefusedOrTaken(FormRequests.post(viewer, "/console/me/tokens", Map.of("name", value)),
                    "token name" + what);
            for (String field : List.of("role", "scopeTags", "expiresInDays")) {
                FormRequests.assertRefused(FormRequests.post(viewer, "/console/me/tokens",
                        Map.of("name", "t", field, value)), "token " + field + what);
            }
            FormRequests.assertRefused(FormRequests.post(viewer, "/console/me/password",
                    Map.of("currentPassword", value, "newPassword", NEW_PASSWORD)), "current password" + what);
            FormRequests.assertRefused(FormRequests.as(viewer, true).delete("/console/me/tokens/x" + value),
                    "my token id" + what);
            for (String filter : List.of("action", "targetType", "from", "to", "cursor", "size", "page")) {
                FormRequests.assertRefused(FormRequests.as(viewer, true).queryParam(filter, value)
                        .get("/console/audit"), "audit " + filter + what);
            }
            FormRequests.assertRefusedOrTaken(FormRequests.as(viewer, true).queryParam("actor", value)
                    .get("/console/audit"), "audit actor" + what);
            FormRequests.assertRefusedOrTaken(FormRequests.as(viewer, true).queryParam("targetId", value)
                    .get("/console/audit"), "audit targetId" + what);
        }
        for (String value : FormRequests.NOT_NUMBERS) {
            FormRequests.assertRefused(FormRequests.post(viewer, "/console/me/tokens",
                    Map.of("name", "t", "expiresInDays", value)), "expiresInDays " + value);
        }
        // Rules the API keeps: no scoped admin, a token no stronger than its owner, no unknown user.
        FormRequests.assertRefused(FormRequests.post(admin, "/console/people",
                Map.of("username", "scopedadmin", "role", "admin", "scopeTags", "acme")), "scoped admin");
        FormRequests.assertRefused(FormRequests.post(viewer, "/console/me/tokens",
                Map.of("name", "t", "role", "admin")), "stronger token");
        FormRequests.assertRefused(FormRequests.as(admin, true).get("/console/people/" + java.util.UUID.randomUUID()),
                "unknown user");
        FormRequests.assertRefused(FormRequests.as(admin, true).formParam("role", "viewer")
                .patch("/console/people/" + root), "the last admin");
    }
}
