package io.omnii.server.console;

import static io.omnii.server.testsupport.Api.admin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.Browser;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.People;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

@QuarkusTest
class InstancePageTest extends BrowserTest {

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    /** Opens the instance's page as a new person of this role, and waits for its live stream to be open. */
    private Browser open(String username, String role, String instanceId) {
        People.user(username, role);
        Browser b = browser();
        b.go("/console/instances/" + instanceId).signIn(username);
        b.find(By.id("overview"));
        b.waitUntil(d -> "open".equals(d.findElement(By.tagName("body")).getAttribute("data-live-state")));
        return b;
    }

    private FakeInstance online(String id) throws Exception {
        FakeInstance instance = FakeInstance.connect(vertx, mqttPort, id);
        instance.subscribeToCommands();
        instance.heartbeat(clock.millis());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                admin().get("/instances/" + id).then().body("status", equalTo("online")));
        return instance;
    }

    private static String status(String id) {
        return admin().get("/instances/" + id).then().statusCode(200).extract().path("status");
    }

    @Test
    void getStatusTurnsCompletedWithoutAReload() throws Exception {
        String id = Api.enrollInstance("Kitchen");
        try (FakeInstance instance = online(id)) {
            Browser b = open("ada", "operator", id);
            b.script("window.notReloaded = true;");
            b.find(By.cssSelector("button[data-command=get_status]")).click();
            b.find(By.cssSelector("#commands tr[data-state]"));
            assertThat(instance.nextCommand(10).getString("command")).isEqualTo("get_status");
            instance.status("online", "2024.2.0", clock.millis());
            // Read in one script: the row is swapped anew with every live change.
            b.waitUntil(d -> Boolean.TRUE.equals(b.script("var r = document.querySelector("
                    + "'#commands tr[data-state=completed]'); return !!r && r.textContent.indexOf('get_status') >= 0")));
            assertThat(b.script("return window.notReloaded === true")).isEqualTo(true);
            assertThat(b.consoleLog()).noneMatch(m -> m.contains("Content Security Policy"));
        }
    }

    @Test
    void theStatusTurnsOnlineWithoutAReload() throws Exception {
        String id = Api.enrollInstance("Porch");
        Browser b = open("vic", "viewer", id);
        b.script("window.notReloaded = true;");
        assertThat(b.find(By.cssSelector("#overview h1")).getText()).doesNotContain("online");
        try (FakeInstance instance = online(id)) {
            b.waitUntil(d -> Boolean.TRUE.equals(b.script("var h = document.querySelector('#overview h1');"
                    + " return !!h && h.textContent.indexOf('online') >= 0")));
            assertThat(b.script("return window.notReloaded === true")).isEqualTo(true);
        }
    }

    @Test
    void restartIsSentOnlyOnceConfirmed() {
        String id = Api.enrollInstance("Cellar");
        Browser b = open("ada", "operator", id);
        b.find(By.cssSelector("button[data-command=restart]")).click();
        b.waitUntil(ExpectedConditions.alertIsPresent()).dismiss();
        b.settle();
        assertThat(db.count("SELECT count(*) FROM command")).isZero();

        b.find(By.cssSelector("button[data-command=restart]")).click();
        b.waitUntil(ExpectedConditions.alertIsPresent()).accept();
        b.find(By.cssSelector("#commands tr[data-state=queued]"));
        admin().get("/instances/" + id + "/commands").then().body("items[0].command", equalTo("restart"));
    }

    @Test
    void anAdminRenamesAndRetags() {
        String id = Api.enrollInstance("Old name");
        Browser b = open("root", "admin", id);
        var name = b.find(By.id("rename-name"));
        name.clear();
        name.sendKeys("Lake house");
        b.find(By.id("rename-tags")).sendKeys("north, beta");
        b.find(By.cssSelector("#rename-form button[type=submit]")).click();
        waitForText(b, By.cssSelector("#overview h1"), "Lake house");
        assertThat(b.find(By.id("instance-tags")).getText()).contains("north").contains("beta");
        admin().get("/instances/" + id).then().body("name", equalTo("Lake house"))
                .body("tags", containsInAnyOrder("beta", "north"));
    }

    @Test
    void decommissioningNeedsTheTypedName() {
        String id = Api.enrollInstance("Garden shed");
        Browser b = open("root", "admin", id);
        b.find(By.id("decommission-confirm")).sendKeys("Garden");
        b.find(By.cssSelector("#decommission-form button[type=submit]")).click();
        b.waitUntil(d -> d.findElement(By.id("flash")).getText().contains("type the instance's name"));
        assertThat(status(id)).isNotEqualTo("decommissioned");

        var confirm = b.find(By.id("decommission-confirm"));
        confirm.clear();
        confirm.sendKeys("Garden shed");
        b.find(By.cssSelector("#decommission-form button[type=submit]")).click();
        waitForText(b, By.cssSelector("#overview h1"), "decommissioned");
        assertThat(status(id)).isEqualTo("decommissioned");
        assertThat(b.all(By.id("decommission-form"))).isEmpty();
        assertThat(b.all(By.id("send-command"))).isEmpty();
    }

    @Test
    void chartsDrawEveryNumericSeriesTheInstanceSent() throws Exception {
        String id = Api.enrollInstance("Charted");
        try (FakeInstance instance = online(id)) {
            for (int i = 3; i >= 1; i--) {
                long at = clock.millis() - i * 10 * 60_000L;
                instance.publish("metrics", """
                        {"uptimeSeconds": %d, "version": "2024.1.0", "stabilityScore": 0.9%d,
                         "metadata": {"coreVersion": "2024.1.0", "totalDevices": 42, "totalEntities": 310,
                                      "pendingUpdates": %d, "cpuPercent": %d.5, "memoryPercent": 61,
                                      "diskPercent": 40, "lastUpdate": "2024-01-01T00:00:00Z"},
                         "timestamp": %d}""".formatted(7200 + i * 600, i, i, 20 + i, at));
            }
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    db.count("SELECT count(*) FROM metrics_sample") == 3);
        }
        List<String> expected = List.of("uptimeSeconds", "stabilityScore", "totalDevices", "totalEntities",
                "pendingUpdates", "cpuPercent", "diskPercent", "memoryPercent");
        Browser b = open("vic", "viewer", id);
        b.waitUntil(d -> "24h".equals(d.findElement(By.id("charts")).getAttribute("data-loaded")));
        assertThat(b.all(By.cssSelector("#charts figure.chart")).stream().map(f -> f.getAttribute("data-series")))
                .containsExactlyElementsOf(expected);
        assertThat(b.all(By.cssSelector("#charts figure.chart canvas"))).hasSize(expected.size());
        b.screenshots("instance");

        b.find(By.cssSelector("button.range[data-range='1h']")).click();
        b.waitUntil(d -> "1h".equals(d.findElement(By.id("charts")).getAttribute("data-loaded")));
        assertThat(b.all(By.cssSelector("#charts figure.chart canvas"))).hasSize(expected.size());
        // 30 minutes ago and more is outside the last hour's first bucket only for the oldest sample.
        People.Session s = People.signIn("vic");
        Response chart = s.request().get("/console/instances/" + id + "/metrics?range=1h");
        chart.then().statusCode(200);
        assertThat(chart.jsonPath().getList("times")).hasSize(3);
        assertThat(chart.jsonPath().getList("series.cpuPercent", Float.class)).containsExactly(23.5f, 22.5f, 21.5f);
    }

    @Test
    void aViewerSeesNoActionsAndAPostWithoutTheCsrfHeaderIsRefused() {
        String id = Api.enrollInstance("Watched");
        Browser b = open("vic", "viewer", id);
        assertThat(b.find(By.id("instance-id")).getText()).isEqualTo(id);
        for (String control : List.of("send-command", "update-form", "rename-form", "rotate", "decommission-form")) {
            assertThat(b.all(By.id(control))).as(control).isEmpty();
        }
        People.Session viewer = People.signIn("vic");
        viewer.request().contentType("application/x-www-form-urlencoded").formParam("command", "restart")
                .post("/console/instances/" + id + "/commands").then().statusCode(403);

        People.user("root", "admin");
        People.Session root = People.signIn("root");
        given().cookie("omnii_session", root.cookie()).contentType("application/x-www-form-urlencoded")
                .formParam("confirm", "Watched").post("/console/instances/" + id + "/decommission")
                .then().statusCode(403).body("error", equalTo("csrf_failed"));
        assertThat(status(id)).isNotEqualTo("decommissioned");
    }

    /** Values a person or a script might send instead of what the forms ask for. */
    private static final List<String> HOSTILE = List.of("", " ", "\0", "a\0b", "x".repeat(10_000),
            "\u202Eevil\u202C 🏠", "<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>", "-1", "1e400",
            "true", "[]", "{}", "restart\nupdate", "../../etc/passwd", "%00");

    @Test
    void hostileValuesIntoEveryFormAreRefusedWithTheErrorBodyAndNeverA5xx() {
        String id = Api.enrollInstance("Target");
        admin().body(Map.of("tags", List.of("north"))).patch("/instances/" + id).then().statusCode(200);
        String elsewhere = Api.enrollInstance("Elsewhere");
        admin().body(Map.of("tags", List.of("south"))).patch("/instances/" + elsewhere).then().statusCode(200);
        People.user("root", "admin");
        People.Session root = People.signIn("root");
        People.user("scoped", "operator", "north");
        People.Session scoped = People.signIn("scoped");

        List<String> problems = new ArrayList<>();
        String base = "/console/instances/" + id;
        for (String v : HOSTILE) {
            // The name is confirmed before it changes: each value differs from the name the last one gave.
            check(problems, "confirm=" + v, form(root).formParam("confirm", v).post(base + "/decommission"), true);
            check(problems, "command=" + v, form(root).formParam("command", v).post(base + "/commands"), true);
            check(problems, "update entity_id=" + v, form(root).formParam("command", "update")
                    .formParam("entity_id", v).post(base + "/commands"), false);
            check(problems, "name=" + v, form(root).formParam("name", v).post(base + "/rename"), false);
            check(problems, "tags=" + v, form(root).formParam("tags", v).post(base + "/rename"), false);
            // An empty range is the default one.
            check(problems, "range=" + v, root.request().queryParam("range", v).get(base + "/metrics"), !v.isEmpty());
            if (!v.isBlank()) {
                for (String path : List.of("", "/overview", "/commands", "/metrics")) {
                    check(problems, "GET id=" + v + path, root.request().urlEncodingEnabled(false)
                            .get("/console/instances/" + encode(v) + path), true);
                }
            }
        }
        // Unknown ids and ids out of the caller's scope are as missing, whatever is asked.
        for (String other : List.of("00000000-0000-0000-0000-000000000000", elsewhere)) {
            String path = "/console/instances/" + other;
            for (Response r : List.of(scoped.request().get(path), scoped.request().get(path + "/overview"),
                    scoped.request().get(path + "/commands"), scoped.request().get(path + "/metrics"),
                    form(scoped).formParam("command", "restart").post(path + "/commands"))) {
                r.then().statusCode(404).body("error", equalTo("not_found"));
            }
        }
        for (String path : List.of("/rename", "/credentials", "/decommission")) {
            form(scoped).formParam("name", "x").post(base + path).then().statusCode(403);
        }
        assertThat(problems).isEmpty();
        assertThat(status(id)).isNotEqualTo("decommissioned");
        assertThat(status(elsewhere)).isNotEqualTo("decommissioned");
        admin().get("/instances/" + elsewhere + "/commands").then().body("total", equalTo(0));
    }

    @Test
    void aScriptInTheNameIsShownAsText() {
        String id = Api.enrollInstance("<img src=x onerror=alert(1)>");
        Browser b = open("vic", "viewer", id);
        assertThat(b.find(By.cssSelector("#overview h1 .name")).getText()).isEqualTo("<img src=x onerror=alert(1)>");
        assertThat(b.all(By.cssSelector("#overview img"))).isEmpty();
        assertThat(b.alertOpen()).isFalse();
    }

    private static io.restassured.specification.RequestSpecification form(People.Session s) {
        return s.request().contentType("application/x-www-form-urlencoded; charset=UTF-8");
    }

    private static String encode(String v) {
        return java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A 4xx with the JSON error body, or (where the value may be valid) a success; never a 5xx. */
    private static void check(List<String> problems, String what, Response r, boolean mustFail) {
        int code = r.statusCode();
        String shown = what.length() > 60 ? what.substring(0, 60) + "..." : what;
        if (code >= 500) {
            problems.add(shown + " -> " + code);
        } else if (code >= 400) {
            if (r.jsonPath().getString("error") == null || r.jsonPath().getString("message") == null) {
                problems.add(shown + " -> " + code + " without the error body");
            }
        } else if (mustFail) {
            problems.add(shown + " -> " + code + ", expected a refusal");
        }
    }
}
