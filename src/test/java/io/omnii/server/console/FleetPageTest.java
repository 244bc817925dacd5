package io.omnii.server.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import io.omnii.server.fleet.PresenceConfig;
import io.omnii.server.fleet.PresenceSweep;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.Browser;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.ScopedFleet;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** The fleet page in a real Chromium: counts, the table, its filters and paging, live changes, rights. */
@QuarkusTest
class FleetPageTest extends BrowserTest {

    private static final String XSS = "<img src=x onerror=alert(1)>";

    @Inject
    PresenceSweep sweep;

    @Inject
    PresenceConfig presence;

    @Inject
    ScopedFleet fleet;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    private static String text(Browser b, String css) {
        return b.find(By.cssSelector(css)).getText();
    }

    @Test
    void anEnrolledInstanceAppearsTurnsOnlineAndGoesOfflineWithoutAReload() throws Exception {
        People.user("olga", "operator");
        Browser b = browser();
        b.go("/console/").signIn("olga");
        assertThat(text(b, "#instances tbody")).contains("No instances");
        b.script("window.notReloaded = true");

        String id = Api.enrollInstance(XSS);
        String row = "#instance-" + id;
        b.waitUntil(d -> !d.findElements(By.cssSelector(row)).isEmpty());
        assertThat(text(b, row + " .status")).isEqualTo("never seen");
        assertThat(text(b, row + " a")).isEqualTo(XSS);
        b.waitUntil(d -> text(b, "#count-never-seen strong").equals("1"));

        try (FakeInstance home = FakeInstance.connect(vertx, mqttPort, id)) {
            home.heartbeat(clock.millis());
            b.waitUntil(d -> text(b, row + " .status").equals("online"));
            b.waitUntil(d -> text(b, "#count-online strong").equals("1") && text(b, "#count-never-seen strong").equals("0"));
            assertThat(text(b, row)).contains("just now");
        }

        clock.advance(presence.presenceTimeout().plusSeconds(30));
        assertThat(sweep.sweep()).isEqualTo(1);
        b.waitUntil(d -> text(b, row + " .status").equals("offline"));
        b.waitUntil(d -> text(b, "#count-offline strong").equals("1") && text(b, "#count-online strong").equals("0"));

        assertThat(b.script("return window.notReloaded === true")).isEqualTo(true);
        assertThat(b.alertOpen()).isFalse();
        assertThat(b.consoleLog()).noneMatch(m -> m.contains("Content Security Policy"));
    }

    @Test
    void searchFilterAndCursorPagingNarrowTheTable() {
        People.user("vera", "viewer");
        insert(55, "garden", "online", "{north}", "{\"cpuPercent\": 12.4, \"memoryPercent\": \"high\"}");
        insert(3, "cellar", "error", "{south}", null);
        insert(2, "attic", "offline", "{north,south}", null);
        Browser b = browser();
        b.go("/console/").signIn("vera");
        assertThat(text(b, "#fleet-total")).isEqualTo("60 instances");
        assertThat(b.all(By.cssSelector("#instances tbody tr"))).hasSize(50);
        assertThat(text(b, "#count-online strong")).isEqualTo("55");
        assertThat(text(b, "#count-error strong")).isEqualTo("3");
        assertThat(text(b, "#count-offline strong")).isEqualTo("2");

        b.find(By.id("next-page")).click();
        b.waitUntil(d -> d.findElements(By.cssSelector("#instances tbody tr")).size() == 10);
        assertThat(b.driver().getCurrentUrl()).contains("cursor=");
        b.find(By.id("first-page")).click();
        b.waitUntil(d -> d.findElements(By.cssSelector("#instances tbody tr")).size() == 50);

        b.find(By.id("q")).sendKeys("cell");
        b.find(By.cssSelector(".filters button[type=submit]")).click();
        b.waitUntil(d -> d.getCurrentUrl().contains("q=cell"));
        assertThat(text(b, "#fleet-total")).isEqualTo("3 instances");
        assertThat(text(b, "#instances tbody")).contains("cellar 1").doesNotContain("garden");

        b.go("/console/?status=error&tag=south");
        assertThat(text(b, "#fleet-total")).isEqualTo("3 instances");
        assertThat(b.find(By.id("tag")).getAttribute("value")).isEqualTo("south");
        b.go("/console/?tag=north+south");
        assertThat(text(b, "#fleet-total")).isEqualTo("2 instances");
        b.go("/console/?status=offline&q=attic");
        assertThat(text(b, "#fleet-total")).isEqualTo("2 instances");
        b.go("/console/?status=never-seen");
        assertThat(text(b, "#fleet-total")).isEqualTo("0 instances");

        b.go("/console/?q=garden+1");
        WebElement first = b.find(By.cssSelector("#instances tbody tr"));
        assertThat(first.getText()).contains("12 %").contains("-");
        b.go("/console/");
        b.screenshots("fleet");
    }

    @Test
    void aViewerSeesNoSelectionAndAnOperatorCommandsTheSelectedInstances() {
        People.user("vic", "viewer");
        People.user("otto", "operator");
        String a = Api.enrollInstance("alpha");
        String c = Api.enrollInstance("charlie");
        Api.enrollInstance("bravo");
        Browser b = browser();
        b.go("/console/").signIn("vic");
        b.find(By.id("instances"));
        assertThat(b.all(By.cssSelector("#instances input[type=checkbox]"))).isEmpty();
        assertThat(b.all(By.id("command-selected"))).isEmpty();

        b.driver().manage().deleteAllCookies();
        b.go("/console/").signIn("otto");
        assertThat(b.find(By.id("command-selected-button")).isEnabled()).isFalse();
        b.find(By.cssSelector("#instance-" + a + " input[type=checkbox]")).click();
        b.find(By.cssSelector("#instance-" + c + " input[type=checkbox]")).click();
        assertThat(text(b, "#selected-count")).isEqualTo("2 selected");
        b.find(By.id("command-selected-button")).click();
        b.waitUntil(d -> d.getCurrentUrl().contains("/console/commands"));
        assertThat(b.driver().getCurrentUrl()).endsWith("/console/commands?instance=" + a + "&instance=" + c);
    }

    @Test
    void aScopedViewerCountsAndListsOnlyItsOwnInstances() {
        People.user("sam", "viewer", ScopedFleet.SMITH_TAG);
        fleet.enroll(ScopedFleet.SMITH, "smith home");
        fleet.enroll(ScopedFleet.JONES, "jones home");
        People.Session sam = People.signIn("sam");
        String page = sam.request().accept("text/html").get("/console/").then().statusCode(200).extract().asString();
        assertThat(page).contains("smith home").doesNotContain("jones home");
        String counts = sam.request().get("/console/fleet/counts").then().statusCode(200).extract().asString();
        assertThat(counts.replaceAll("\\s+", " ")).contains("never seen</span> <strong>1</strong>");
    }

    @Test
    void hostileQueryParametersAnswerTheFormOrA400AndNeverA5xx() {
        People.user("hal", "operator", ScopedFleet.SMITH_TAG);
        String jones = fleet.enroll(ScopedFleet.JONES, "jones home");
        People.Session hal = People.signIn("hal");
        String outOfScope = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("1700000000000000." + jones).getBytes());
        List<String> hostile = new ArrayList<>(List.of("\u0000", "a\u0000b", "x".repeat(10_000), "\u202Eevil😀",
                "<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>", "-1", "1e309", "true", "[]", "{}",
                "%00", "..%2F..%2F", UUID.randomUUID().toString(), outOfScope, "never_seen", "ONLINE"));
        for (String param : List.of("q", "status", "tag", "cursor")) {
            for (String value : hostile) {
                for (String path : List.of("/console/", "/console/fleet/list")) {
                    // The list is htmx's fragment (HX-Request); the page is a browser's navigation.
                    RequestSpecification request = hal.request().accept("text/html").queryParam(param, value);
                    Response r = (path.endsWith("/list") ? request.header("HX-Request", "true") : request).get(path);
                    assertThat(r.statusCode()).as("%s?%s=%s", path, param, value.length() > 40 ? "long" : value)
                            .isBetween(200, 499);
                    String body = r.asString();
                    assertThat(body).doesNotContain("<script>alert").doesNotContain("<img src=x");
                    if (r.statusCode() == 400 && path.endsWith("/list")) {
                        assertThat(r.contentType()).startsWith("application/json");
                        assertThat(r.jsonPath().getString("error")).isEqualTo("validation_failed");
                    }
                    if (r.statusCode() == 400 && path.equals("/console/") && !value.contains("\u0000")) {
                        assertThat(body).contains("id=\"filter-error\"");
                    }
                }
            }
        }
        hal.request().queryParam("status", "sideways").get("/console/fleet/list").then().statusCode(400)
                .body("violations[0].field", equalTo("status"));
        hal.request().queryParam("cursor", outOfScope).accept("text/html").get("/console/").then().statusCode(200);
        // The page changes nothing (405 to a POST); what "Command selected" leads to refuses a forged POST.
        given().cookie("omnii_session", hal.cookie()).contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("q", "x")).post("/console/").then().statusCode(405);
        String smith = fleet.enroll(ScopedFleet.SMITH, "smith home");
        given().cookie("omnii_session", hal.cookie()).contentType("application/json")
                .body(Map.of("command", "get_status")).post("/instances/" + smith + "/commands").then()
                .statusCode(403).body("error", equalTo("csrf_failed"));
        given().get("/console/fleet/list").then().statusCode(lessThan(500));
    }

    /** {@code n} instances named "{prefix} 1".."{prefix} n" in a state, with tags and latest metrics metadata. */
    private void insert(int n, String prefix, String status, String tags, String metadata) {
        db.execute("""
                INSERT INTO instance (id, name, tags, mqtt_client_id, status, status_changed_at, enrolled_at,
                                      last_seen_at, latest_metrics)
                SELECT id, '%s ' || k, '%s', 'ha-' || id, '%s', now(), now() + k * interval '1 ms', now(), %s
                  FROM (SELECT gen_random_uuid() AS id, k FROM generate_series(1, %d) k) g""".formatted(prefix, tags,
                status, metadata == null ? "NULL" : "'" + metadata + "'::jsonb", n));
        db.execute("UPDATE instance_count SET n = n + " + n + " WHERE status = '" + status + "'");
    }
}
