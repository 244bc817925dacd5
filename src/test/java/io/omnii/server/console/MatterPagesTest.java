package io.omnii.server.console;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.omnii.server.matter.MatterClient;
import io.omnii.server.matter.MatterPeerProfile;
import io.omnii.server.matter.peer.CommissioningParameters;
import io.omnii.server.matter.peer.MatterServerPeer;
import io.omnii.server.testsupport.Browser;
import io.omnii.server.testsupport.People;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;

/** The console's Matter pages in a real Chromium, against the protocol-faithful Matter Server peer. */
@QuarkusTest
@TestProfile(MatterPeerProfile.class)
class MatterPagesTest extends BrowserTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String QR = "MT:Y.K9042C00KA0648G00";

    @Inject
    MatterClient client;

    MatterServerPeer peer;

    @BeforeEach
    void peerWithoutNodes() {
        peer = MatterPeerProfile.listening(client);
        peer.nodes().forEach(n -> peer.removeNode(n.get("node_id").bigIntegerValue()));
        await().atMost(TIMEOUT).until(() -> admin().get("/matter/nodes").then().extract().<List<?>>path("").isEmpty()
                && !admin().get("/matter/commissioning?size=500").then().extract()
                        .<List<String>>path("items.state").contains("pending"));
        peer.clearReceived();
    }

    private Browser browser(String user, String role, String... scope) {
        People.user(user, role, scope);
        Browser b = browser();
        b.go("/console/sign-in").signIn(user);
        return b;
    }

    private static BigInteger lightOnThePage(MatterServerPeer peer) {
        BigInteger light = peer.addVirtualLight();
        await().atMost(TIMEOUT).until(() -> admin().get("/matter/nodes/" + light).statusCode() == 200);
        return light;
    }

    /** Marks the document: the mark is gone after a reload, so a page that still has it changed without one. */
    private static void mark(Browser b) {
        b.script("window.notReloaded = true;");
    }

    private static boolean notReloaded(Browser b) {
        return Boolean.TRUE.equals(b.script("return window.notReloaded === true;"));
    }

    @Test
    void commissioningThePeersDeviceThroughThePageFollowsTheAttemptUntilItsNodeAppears() {
        Browser b = browser("ada", "operator");
        b.go("/console/matter");
        assertThat(b.find(By.id("matter-server")).getText()).contains("connected").contains("matterjs-server");
        b.find(By.id("commission-link")).click();
        b.waitUntil(d -> d.getCurrentUrl().endsWith("/console/matter/commission"));
        mark(b);
        b.find(By.id("code")).sendKeys(QR);
        b.find(By.cssSelector("input[name=network][value=network]")).click();
        b.find(By.id("commission")).click();
        b.find(By.cssSelector("#attempt[data-state=succeeded] #attempt-node-link"));
        assertThat(notReloaded(b)).isTrue();
        JsonNode args = peer.lastArgs("commission_with_code");
        assertThat(args.path("code").asText()).isEqualTo(QR);
        assertThat(args.path("network_only").asBoolean()).isTrue();
        String nodeId = peer.nodes().get(0).get("node_id").asText();
        // Read again: a live refresh may have swapped the attempt since it was found.
        b.waitUntil(d -> d.findElement(By.id("attempt-node-link")).getAttribute("href")
                .endsWith("/console/matter/nodes/" + nodeId));
        b.waitUntil(d -> d.findElement(By.id("attempts")).getText().contains("#" + nodeId));
        b.screenshots("matter-commission");

        b.go("/console/matter");
        mark(b);
        BigInteger second = peer.addVirtualLight();
        waitForText(b, By.id("node-" + second), "available"); // the list may be swapped again meanwhile
        assertThat(notReloaded(b)).isTrue();
        b.screenshots("matter");
        assertThat(b.consoleLog()).noneMatch(m -> m.contains("Content Security Policy"));
    }

    @Test
    void theNodePageNamesTheClustersAndItsSwitchTogglesTheLight() {
        BigInteger light = lightOnThePage(peer);
        boolean wasOn = peer.node(light).get("attributes").get("1/6/0").asBoolean();
        Browser b = browser("ada", "operator");
        b.go("/console/matter/nodes/" + light);
        String page = b.find(By.id("node-detail")).getText();
        assertThat(page).contains("Basic Information", "On/Off", "Descriptor", "Endpoint 1", "On/Off Light");
        assertThat(b.find(By.id("cluster-0-40")).getText()).contains("VendorName").contains("SoftwareVersionString");
        WebElement toggle = b.find(By.id("switch-1"));
        assertThat(toggle.getAttribute("aria-checked")).isEqualTo(String.valueOf(wasOn));
        toggle.click();
        b.waitUntil(d -> d.findElement(By.id("switch-1")).getAttribute("aria-checked").equals(String.valueOf(!wasOn)));
        JsonNode command = peer.lastArgs("device_command");
        assertThat(command.path("command_name").asText()).isEqualTo(wasOn ? "Off" : "On");
        assertThat(command.path("cluster_id").asLong()).isEqualTo(6);
        assertThat(command.path("endpoint_id").asInt()).isEqualTo(1);
        assertThat(peer.node(light).get("attributes").get("1/6/0").asBoolean()).isEqualTo(!wasOn);
        b.screenshots("matter-node");
    }

    @Test
    void hostileNodeLabelsAndAttributeValuesFromDevicesAreShownAsText() {
        String img = "<img src=x onerror=window.injected=1>";
        String script = "\"><script>window.injected=2</script>";
        BigInteger light = lightOnThePage(peer);
        ObjectNode node = peer.node(light);
        ObjectNode attributes = (ObjectNode) node.get("attributes");
        attributes.put("0/40/5", img + " " + script); // NodeLabel
        attributes.put("0/40/10", script + " " + img); // SoftwareVersionString
        attributes.put("1/6/65000", (img + script).repeat(2)); // longer than a row shows: folded
        peer.updateNode(node);
        await().atMost(TIMEOUT).until(() -> (img + " " + script).equals(
                admin().get("/matter/nodes/" + light).then().extract().path("nodeLabel")));

        Browser b = browser("ada", "operator");
        b.go("/console/matter");
        b.find(By.id("node-" + light));
        assertNothingInjected(b);
        assertThat(b.find(By.id("node-" + light)).getText()).contains(img + " " + script, script + " " + img);

        b.go("/console/matter/nodes/" + light);
        b.find(By.id("node-detail"));
        assertNothingInjected(b);
        assertThat(b.find(By.id("node-title")).getText()).contains(img + " " + script);
        assertThat(b.driver().getTitle()).startsWith(img + " " + script);
        assertThat(b.find(By.id("cluster-0-40")).getText()).contains(img + " " + script, script + " " + img);
        assertThat(b.find(By.id("remove")).getAttribute("hx-confirm")).contains(img + " " + script);
        WebElement folded = b.find(By.cssSelector("#cluster-1-6 td details"));
        folded.findElement(By.tagName("summary")).click();
        assertThat(folded.getText()).contains((img + script).repeat(2));
        assertNothingInjected(b);

        // The same through the live refresh, which swaps the fragment in with htmx rather than loading a page.
        mark(b);
        peer.updateAttribute(light, "0/40/6", script + img); // Location
        waitForText(b, By.id("cluster-0-40"), script + img);
        assertThat(notReloaded(b)).isTrue();
        assertNothingInjected(b);
    }

    /** No element the hostile values would make, and none of their scripts ran. */
    private static void assertNothingInjected(Browser b) {
        assertThat(b.all(By.cssSelector("img[onerror], img[src=x]"))).isEmpty();
        assertThat(b.script("return [...document.scripts].filter(s => s.textContent.includes('injected')).length;"))
                .isEqualTo(0L);
        assertThat(b.script("return typeof window.injected;")).isEqualTo("undefined");
    }

    @Test
    void interviewPingAndRemoveReachTheMatterServer() {
        BigInteger light = lightOnThePage(peer);
        Browser b = browser("ada", "operator");
        b.go("/console/matter/nodes/" + light);
        b.find(By.id("interview")).click();
        assertThat(b.find(By.cssSelector("#node-result .ok-note")).getText()).contains("Interviewed");
        assertThat(peer.lastArgs("interview_node").path("node_id").asText()).isEqualTo(light.toString());
        b.find(By.id("ping")).click();
        assertThat(b.find(By.id("ping-result")).getText()).contains("fd11::2").contains("answered");

        b.find(By.id("remove")).click();
        b.waitUntil(d -> b.alertOpen());
        b.driver().switchTo().alert().accept();
        b.waitUntil(d -> d.getCurrentUrl().endsWith("/console/matter"));
        assertThat(peer.node(light)).isNull();
        assertThat(peer.lastArgs("remove_node").path("node_id").asText()).isEqualTo(light.toString());
        assertThat(b.find(By.id("matter-nodes")).getText()).doesNotContain("#" + light);
    }

    @Test
    void theCommissioningWindowShowsAQrCodeThatReadsAsThePeersCodeAndTheManualCode() throws Exception {
        BigInteger light = lightOnThePage(peer);
        Browser b = browser("ada", "operator");
        b.go("/console/matter/nodes/" + light);
        b.find(By.cssSelector("#window-form button")).click();
        WebElement qr = b.find(By.cssSelector("#window-qr svg"));
        assertThat(b.find(By.id("window-manual-code")).getText()).isEqualTo("3497-011-2332");
        assertThat(peer.lastArgs("open_commissioning_window").path("timeout").asInt()).isEqualTo(300);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(qr.getScreenshotAs(OutputType.BYTES)));
        int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        String read = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(
                new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels)))).getText();
        assertThat(read).isEqualTo(CommissioningParameters.VIRTUAL_LIGHT.setupQrCode());
    }

    @Test
    void aViewerSeesNoActionControlsAndForgedRequestsAreRefused() {
        BigInteger light = lightOnThePage(peer);
        Browser b = browser("vic", "viewer");
        b.go("/console/matter");
        assertThat(b.find(By.id("node-" + light)).getText()).contains("available");
        assertThat(b.all(By.id("commission-link"))).isEmpty();
        b.go("/console/matter/nodes/" + light);
        b.find(By.id("node-detail"));
        for (String control : List.of("interview", "ping", "remove", "window-form")) {
            assertThat(b.all(By.id(control))).as(control).isEmpty();
        }
        assertThat(b.find(By.id("switch-1")).isEnabled()).isFalse();

        People.Session viewer = People.signIn("vic");
        viewer.request().contentType("application/x-www-form-urlencoded").post("/console/matter/nodes/" + light
                + "/interview").then().statusCode(403).body("error", org.hamcrest.Matchers.equalTo("forbidden"));
        viewer.request().get("/console/matter/commission").then().statusCode(403);
        People.user("ops", "operator");
        People.Session operator = People.signIn("ops");
        io.restassured.RestAssured.given().cookie("omnii_session", operator.cookie())
                .contentType("application/x-www-form-urlencoded").formParam("endpoint", "1").formParam("on", "true")
                .post("/console/matter/nodes/" + light + "/on-off")
                .then().statusCode(403).body("error", org.hamcrest.Matchers.equalTo("csrf_failed"));
        assertThat(peer.received("interview_node")).isEmpty();
        assertThat(peer.received("device_command")).isEmpty();
    }

    @Test
    void aScopedPersonGetsNoMatterPage() {
        BigInteger light = lightOnThePage(peer);
        Browser b = browser("kim", "operator", "kitchen");
        assertThat(b.all(By.cssSelector("nav a[href='/console/matter']"))).isEmpty();
        People.Session scoped = People.signIn("kim");
        for (String path : List.of("/console/matter", "/console/matter/nodes", "/console/matter/server",
                "/console/matter/nodes/" + light, "/console/matter/commission")) {
            scoped.request().get(path).then().statusCode(403).body("error", org.hamcrest.Matchers.equalTo("out_of_scope"));
        }
        scoped.request().contentType("application/x-www-form-urlencoded").formParam("code", QR)
                .formParam("network", "network").post("/console/matter/commission")
                .then().statusCode(403).body("error", org.hamcrest.Matchers.equalTo("out_of_scope"));
        assertThat(peer.received("commission_with_code")).isEmpty();
    }

    @Test
    void hostileValuesIntoEveryMatterFormAreRefusedWithTheErrorBodyAndNeverA5xx() {
        BigInteger light = lightOnThePage(peer);
        People.user("root", "admin");
        People.Session admin = People.signIn("root");
        List<String> hostile = List.of("", "\0", "a\0b", "x".repeat(10_000), "\u202Eevil\uD83D\uDE00",
                "<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>", "-1", "1e9", "true", "{}", "[1]",
                "99999999999999999999999", "MT:", "3497-011-2333");
        String node = "/console/matter/nodes/" + light;
        for (String value : hostile) {
            refused(admin, "/console/matter/commission", Map.of("code", value, "network", "network"));
            refused(admin, "/console/matter/commission", Map.of("code", QR, "network", value));
            refused(admin, node + "/on-off", Map.of("endpoint", value, "on", "true"));
            if (!value.equals("true")) {
                refused(admin, node + "/on-off", Map.of("endpoint", "1", "on", value));
            }
            refused(admin, "/console/matter/commission/credentials/thread", Map.of("dataset", value));
            if (!value.isEmpty()) {
                refused(admin, node + "/commissioning-window", Map.of("timeoutSeconds", value));
            }
            // Any 1 to 32 bytes name a Wi-Fi network; beyond, or with NUL, they are refused.
            Response wifi = post(admin, "/console/matter/commission/credentials/wifi",
                    Map.of("ssid", value, "password", value));
            assertThat(wifi.statusCode()).as("wifi %s", value).isLessThan(500);
            if (wifi.statusCode() >= 400) {
                assertThat(wifi.jsonPath().getString("error")).isNotBlank();
            } else {
                assertThat(wifi.asString()).doesNotContain("<script>", "<img");
            }
            if (value.isEmpty()) {
                continue; // /console/matter/nodes/ is the node list
            }
            for (String path : List.of("/console/matter/nodes/" + encoded(value), "/console/matter/nodes/"
                    + encoded(value) + "/detail", "/console/matter/commission/attempts/" + encoded(value))) {
                Response r = admin.request().get(path);
                assertThat(r.statusCode()).as("GET %s", path).isIn(404, 414); // 414: 10,000 characters
                assertThat(r.jsonPath().getString("error")).isNotBlank();
            }
            for (String action : List.of("/interview", "/ping", "/commissioning-window")) {
                Response r = post(admin, "/console/matter/nodes/" + encoded(value) + action, Map.of());
                assertThat(r.statusCode()).as("POST %s on node %s", action, value).isIn(404, 414);
                assertThat(r.jsonPath().getString("error")).isNotBlank();
            }
        }
        // A node id no Matter Server has, and one past 64 bits.
        for (String unknown : List.of("424242", "18446744073709551616")) {
            assertThat(post(admin, "/console/matter/nodes/" + unknown + "/on-off", Map.of("endpoint", "1", "on", "true"))
                    .statusCode()).isEqualTo(404);
            assertThat(admin.request().delete("/console/matter/nodes/" + unknown).statusCode()).isEqualTo(404);
        }
        assertThat(peer.received("commission_with_code")).isEmpty();
        assertThat(peer.received("device_command")).isEmpty();
        assertThat(peer.received("set_thread_dataset")).isEmpty();
    }

    private static String encoded(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Response post(People.Session session, String path, Map<String, String> form) {
        var request = session.request().contentType("application/x-www-form-urlencoded; charset=UTF-8");
        form.forEach(request::formParam);
        return request.post(path);
    }

    private static void refused(People.Session session, String path, Map<String, String> form) {
        Response r = post(session, path, form);
        assertThat(r.statusCode()).as("%s %s", path, form.keySet()).isBetween(400, 499);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.jsonPath().getString("error")).isNotBlank();
    }
}
