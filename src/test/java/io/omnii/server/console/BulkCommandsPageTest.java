package io.omnii.server.console;

import static io.restassured.RestAssured.given;
import static io.omnii.server.console.FormRequests.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.Browser;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.People;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

@QuarkusTest
class BulkCommandsPageTest extends BrowserTest {

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    /** Enrolls an instance carrying these tags, with a code made for them. */
    private static String enroll(String name, String... tags) {
        String code = Api.admin().body(Map.of("tags", List.of(tags))).post("/enrollment-codes").then()
                .statusCode(201).extract().path("code");
        return given().contentType(ContentType.JSON).body(Map.of("code", code, "name", name)).post("/enroll")
                .then().statusCode(200).extract().path("instanceId");
    }

    private FakeInstance online(String id) throws Exception {
        FakeInstance instance = FakeInstance.connect(vertx, mqttPort, id);
        instance.subscribeToCommands();
        instance.heartbeat(clock.millis());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                Api.admin().get("/instances/" + id).then().body("status", equalTo("online")));
        return instance;
    }

    @Test
    void aCommandByTagReachesBothInstancesAndTheBatchPageShowsItCompleteWithoutAReload() throws Exception {
        People.user("olga", "operator");
        String kitchen = enroll("Kitchen", "acme");
        String attic = enroll("Attic", "acme", "north");
        enroll("Elsewhere", "globex");
        try (FakeInstance one = online(kitchen); FakeInstance two = online(attic)) {
            Browser b = browser();
            b.go("/console/commands").signIn("olga");
            new Select(b.find(By.id("bulk-command"))).selectByValue("get_status");
            b.find(By.id("by-tags")).click();
            b.find(By.id("bulk-tags")).sendKeys("acme");
            b.find(By.cssSelector("#bulk-form button[type=submit]")).click();
            b.waitUntil(d -> d.getCurrentUrl().contains("/console/commands/batches/"));
            b.waitUntil(d -> "open".equals(d.findElement(By.tagName("body")).getAttribute("data-live-state")));
            b.script("window.notReloaded = true;");
            assertThat(b.find(By.tagName("h1")).getText()).isEqualTo("get status to 2 instances");

            for (FakeInstance instance : List.of(one, two)) {
                assertThat(instance.nextCommand(10).getString("command")).isEqualTo("get_status");
                instance.status("online", "2024.2.0", clock.millis());
            }
            // Read in one script: the section is swapped anew with every live change.
            b.waitUntil(d -> Boolean.TRUE.equals(b.script("var p = document.getElementById('progress'); var c ="
                    + " p && p.querySelector('tr[data-state=completed] td.num'); return !!c"
                    + " && p.getAttribute('data-settled') === '2' && c.textContent === '2'")));
            assertThat(b.find(By.id("progress-summary")).getText()).contains("done").contains("2 of 2 settled");
            assertThat(b.script("return window.notReloaded === true")).isEqualTo(true);
            b.screenshots("batch");

            b.go("/console/commands");
            assertThat(b.find(By.id("batches")).getText()).contains("get status").contains("2 of 2 settled");
            b.screenshots("commands");
            assertThat(b.consoleLog()).noneMatch(m -> m.contains("Content Security Policy"));
        }
    }

    @Test
    void instancesPickedOnTheFleetPageArePreselectedByNameAndRestartAsksFirst() {
        People.user("scoped", "operator", "acme");
        String kitchen = enroll("Kitchen <b>", "acme");
        String attic = enroll("Attic", "acme");
        String foreign = enroll("Foreign", "globex");
        Browser b = browser();
        b.go("/console/commands?instance=" + kitchen + "&instance=" + attic + "&instance=" + foreign
                + "&instance=not-an-id").signIn("scoped");
        assertThat(b.find(By.id("picked")).getText()).contains("Kitchen <b>").contains("Attic")
                .doesNotContain("Foreign");
        assertThat(b.find(By.id("picked-missing")).getText()).startsWith("2 of the picked");
        assertThat(b.find(By.id("by-selection")).isSelected()).isTrue();

        new Select(b.find(By.id("bulk-command"))).selectByValue("restart");
        b.find(By.cssSelector("#bulk-form button[type=submit]")).click();
        b.waitUntil(ExpectedConditions.alertIsPresent()).dismiss();
        b.settle();
        assertThat(db.count("SELECT count(*) FROM command_batch")).isZero();

        b.find(By.cssSelector("#bulk-form button[type=submit]")).click();
        b.waitUntil(ExpectedConditions.alertIsPresent()).accept();
        b.waitUntil(d -> d.getCurrentUrl().contains("/console/commands/batches/"));
        assertThat(b.find(By.tagName("h1")).getText()).isEqualTo("restart to 2 instances");
        assertThat(db.count("SELECT count(*) FROM command WHERE command = 'restart' AND instance_id IN ('" + kitchen
                + "', '" + attic + "')")).isEqualTo(2);
    }

    @Test
    void aViewerSeesNoActionControlsAndForgedOrForbiddenSendsAreRefused() {
        People.user("vera", "viewer");
        People.user("olga", "operator");
        String id = enroll("Kitchen", "acme");
        String batch = Api.admin().body(Map.of("command", "get_status", "target", Map.of("tags", List.of("acme"))))
                .post("/commands").then().statusCode(202).extract().path("batchId");
        Browser b = browser();
        b.go("/console/commands?instance=" + id).signIn("vera");
        assertThat(b.find(By.id("batches")).getText()).contains("get status");
        assertThat(b.all(By.id("bulk-form"))).isEmpty();
        assertThat(b.all(By.cssSelector("main button"))).isEmpty();
        b.go("/console/commands/batches/" + batch);
        assertThat(b.find(By.id("progress")).getText()).contains("queued");
        assertThat(b.all(By.cssSelector("main button"))).isEmpty();

        Map<String, String> send = Map.of("command", "get_status", "target", "tags", "tags", "acme");
        FormRequests.assertForgeryRefused(FormRequests.as(People.signIn("olga"), false).formParams(send)
                .post("/console/commands"));
        FormRequests.post(People.signIn("vera"), "/console/commands", send).then().statusCode(403);
        assertThat(db.count("SELECT count(*) FROM command_batch")).isEqualTo(1);
    }

    @Test
    void hostileValuesIntoTheCommandFormAndPathsAreRefusedWithTheErrorBody() {
        People.user("olga", "operator");
        People.user("scoped", "viewer", "acme");
        enroll("Kitchen", "acme");
        String foreign = enroll("Foreign", "globex");
        String foreignBatch = Api.admin().body(Map.of("command", "get_status",
                "target", Map.of("instanceIds", List.of(foreign)))).post("/commands").then().statusCode(202)
                .extract().path("batchId");
        People.Session operator = People.signIn("olga");
        People.Session scoped = People.signIn("scoped");
        Map<String, String> base = Map.of("command", "get_status", "target", "tags", "tags", "acme",
                "status", "online");
        for (String value : FormRequests.HOSTILE) {
            String what = " " + value.length() + " " + value.substring(0, Math.min(12, value.length()));
            for (String field : List.of("command", "target", "tags")) {
                FormRequests.assertRefused(FormRequests.post(operator, "/console/commands", with(base, field, value)),
                        field + what);
            }
            FormRequests.assertRefused(FormRequests.post(operator, "/console/commands",
                    with(with(base, "target", "status"), "status", value)), "status" + what);
            FormRequests.assertRefused(FormRequests.post(operator, "/console/commands",
                    with(with(base, "target", "selection"), "instance", value)), "instance" + what);
            FormRequests.assertRefused(FormRequests.post(operator, "/console/commands",
                    with(with(base, "command", "update"), "entityId", value.isBlank() ? "\0" : value + "\0")),
                    "entityId" + what);
            FormRequests.assertRefused(FormRequests.as(operator, true).get("/console/commands/batches/x" + value),
                    "batch id" + what);
            // A picked id that is no instance is counted, never named or echoed.
            var page = FormRequests.as(operator, true).queryParam("instance", value).get("/console/commands");
            assertThat(page.statusCode()).as("picked " + what).isLessThan(500);
            if (page.statusCode() == 200) {
                assertThat(page.asString()).contains("id=\"picked-missing\"").doesNotContain("<script>alert(1)")
                        .doesNotContain("<img src=x");
            }
        }
        // Out of the caller's scope: a foreign instance picked, a foreign batch.
        FormRequests.assertRefused(FormRequests.post(operator, "/console/commands",
                Map.of("command", "get_status", "target", "selection", "instance", UUID.randomUUID().toString())),
                "unknown instance");
        FormRequests.assertRefused(FormRequests.as(scoped, true).get("/console/commands/batches/" + foreignBatch),
                "a batch of another scope");
        FormRequests.assertRefused(FormRequests.post(operator, "/console/commands",
                Map.of("command", "update", "target", "tags", "tags", "acme")), "update without an entity");
        FormRequests.assertRefused(FormRequests.post(operator, "/console/commands",
                Map.of("command", "get_status", "target", "selection")), "an empty selection");
        List<String> many = new ArrayList<>(Collections.nCopies(501, UUID.randomUUID().toString()));
        FormRequests.assertRefused(FormRequests.as(operator, true).queryParam("instance", many.toArray())
                .get("/console/commands"), "too many picked");
        assertThat(db.count("SELECT count(*) FROM command_batch")).isEqualTo(1);
    }
}
