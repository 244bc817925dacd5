package io.omnii.server.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.Browser;
import io.omnii.server.testsupport.People;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

@QuarkusTest
class CodesPageTest extends BrowserTest {

    @Test
    void aCodeMadeOnThePageIsShownOnceWithTheAddOnConfigurationAndEnrollsAnInstance() {
        People.user("olga", "operator");
        Browser b = browser();
        b.go("/console/codes").signIn("olga");
        b.find(By.id("code-hours")).clear();
        b.find(By.id("code-hours")).sendKeys("2");
        b.find(By.id("code-tags")).sendKeys("living-room, acme");
        b.find(By.cssSelector("#new-code-form button[type=submit]")).click();

        String code = b.find(By.id("new-code-value")).getText();
        assertThat(code).matches("\\d{6}");
        assertThat(b.find(By.id("new-code-value")).getAttribute("class")).contains("secret");
        String base = server.toString().replaceAll("/$", "");
        assertThat(b.find(By.id("new-code-config")).getText())
                .isEqualTo("server_url: " + base + "\nenrollment_code: \"" + code + "\"");
        assertThat(b.all(By.cssSelector("button[data-copy='#new-code-value']"))).hasSize(1);
        // The list fetched itself again: the new code is there, active, with its tags.
        waitForText(b, By.id("codes"), "living-room");
        assertThat(b.find(By.id("codes")).getText()).contains("active").contains("acme");
        b.screenshots("codes");

        String instanceId = given().contentType(ContentType.JSON)
                .body(Map.of("code", code, "name", "Home Assistant - Attic")).post("/enroll")
                .then().statusCode(200).extract().path("instanceId");
        List<String> tags = Api.admin().get("/instances/" + instanceId).then().statusCode(200).extract().path("tags");
        assertThat(tags).containsExactly("living-room", "acme");

        b.go("/console/codes");
        assertThat(b.find(By.id("codes")).getText()).contains("used");
        assertThat(b.driver().getPageSource()).doesNotContain(code);
        assertThat(b.consoleLog()).noneMatch(m -> m.contains("Content Security Policy"));
    }

    @Test
    void revokingAsksFirstAndTheRevokedCodeNoLongerEnrolls() {
        People.user("olga", "operator");
        String code = Api.newCode();
        Browser b = browser();
        b.go("/console/codes").signIn("olga");
        b.find(By.cssSelector("#codes button.danger")).click();
        b.waitUntil(ExpectedConditions.alertIsPresent()).dismiss();
        b.settle();
        assertThat(b.find(By.id("codes")).getText()).contains("active");

        b.find(By.cssSelector("#codes button.danger")).click();
        b.waitUntil(ExpectedConditions.alertIsPresent()).accept();
        waitForText(b, By.id("codes"), "revoked");
        assertThat(b.all(By.cssSelector("#codes button.danger"))).isEmpty();

        given().contentType(ContentType.JSON).body(Map.of("code", code, "name", "late")).post("/enroll")
                .then().statusCode(400);
    }

    @Test
    void aRefusedFormSaysWhyOnThePage() {
        People.user("olga", "operator");
        Browser b = browser();
        b.go("/console/codes").signIn("olga");
        b.find(By.id("code-tags")).sendKeys("<b>not a tag</b>");
        b.find(By.cssSelector("#new-code-form button[type=submit]")).click();
        b.waitUntil(d -> !d.findElement(By.id("flash")).getText().isEmpty());
        assertThat(b.find(By.id("flash")).getText()).contains("tags");
        assertThat(b.all(By.id("new-code-value"))).isEmpty();
    }

    @Test
    void aViewerSeesNoActionsAndForgedOrForbiddenChangesAreRefused() {
        People.user("vera", "viewer");
        People.user("olga", "operator");
        String codeId = Api.admin().body("{}").post("/enrollment-codes").then().statusCode(201).extract().path("id");
        Browser b = browser();
        b.go("/console/codes").signIn("vera");
        assertThat(b.find(By.id("codes")).getText()).contains("active");
        assertThat(b.all(By.id("new-code-form"))).isEmpty();
        assertThat(b.all(By.cssSelector("#codes button"))).isEmpty();

        People.Session viewer = People.signIn("vera");
        People.Session operator = People.signIn("olga");
        FormRequests.assertForgeryRefused(FormRequests.as(operator, false).formParam("expiresInHours", "1")
                .post("/console/codes"));
        FormRequests.assertForgeryRefused(FormRequests.as(operator, false).delete("/console/codes/" + codeId));
        FormRequests.post(viewer, "/console/codes", Map.of("expiresInHours", "1")).then().statusCode(403);
        FormRequests.as(viewer, true).delete("/console/codes/" + codeId).then().statusCode(403);
        Api.admin().get("/enrollment-codes").then().body("items[0].state", org.hamcrest.Matchers.equalTo("active"))
                .body("total", org.hamcrest.Matchers.equalTo(1));
    }

    @Test
    void hostileValuesIntoTheCodeFormAndPathsAreRefusedWithTheErrorBody() {
        People.user("olga", "operator");
        People.user("scoped", "operator", "acme");
        People.Session operator = People.signIn("olga");
        People.Session scoped = People.signIn("scoped");
        for (String value : FormRequests.HOSTILE) {
            FormRequests.assertRefused(FormRequests.post(operator, "/console/codes", Map.of("expiresInHours", value)),
                    "expiresInHours " + value.length());
            FormRequests.assertRefused(FormRequests.post(operator, "/console/codes", Map.of("tags", value)),
                    "tags " + value.length());
            FormRequests.assertRefused(FormRequests.as(operator, true).delete("/console/codes/x" + value),
                    "revoke " + value.length());
        }
        for (String value : FormRequests.NOT_NUMBERS) {
            FormRequests.assertRefused(FormRequests.post(operator, "/console/codes", Map.of("expiresInHours", value)),
                    "expiresInHours " + value);
        }
        FormRequests.assertRefused(FormRequests.post(operator, "/console/codes", Map.of("expiresInHours", "721")),
                "beyond the maximum");
        FormRequests.assertRefused(FormRequests.post(operator, "/console/codes",
                Map.of("tags", String.join(",", java.util.Collections.nCopies(40, "t").stream()
                        .map(t -> t + Math.random()).map(t -> t.replace(".", "")).toList()))), "too many tags");
        // A scoped operator names only its scope's tags, and cannot revoke another scope's code (it is as missing).
        FormRequests.assertRefused(FormRequests.post(scoped, "/console/codes", Map.of("tags", "globex")),
                "out of scope tag");
        String other = Api.admin().body("{\"tags\":[\"globex\"]}").post("/enrollment-codes").then().statusCode(201)
                .extract().path("id");
        FormRequests.as(scoped, true).delete("/console/codes/" + other).then().statusCode(404);
        FormRequests.post(scoped, "/console/codes", Map.of()).then().statusCode(200);
        assertThat(db.count("SELECT count(*) FROM enrollment_code WHERE revoked_at IS NULL")).isEqualTo(2);
    }
}
