package io.omnii.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.Browser;
import io.omnii.server.testsupport.People;
import io.restassured.RestAssured;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * Every page of the console, as an admin, at desktop and phone width: it renders, runs no script the CSP refuses and
 * throws no error, labels every control, and needs no sideways scrolling at 360 px (wide tables scroll inside their
 * own box). Its screenshots are the ones docs/console.md shows.
 */
@QuarkusTest
class ConsolePagesTest extends BrowserTest {

    // Every control a person can reach has a name a screen reader can say.
    private static final String UNLABELLED_CONTROLS = """
            return Array.from(document.querySelectorAll('input, select, textarea, button'))
              .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
              .filter(e => {
                if (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.closest('label')) return false;
                if (e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]')) return false;
                if (e.tagName === 'BUTTON' || e.type === 'submit' || e.type === 'button') return !e.textContent.trim() && !e.value;
                return true;
              })
              .map(e => e.outerHTML.slice(0, 120));""";

    // Elements reaching past the window's right edge, outside the boxes that scroll on their own (wide tables).
    private static final String TOO_WIDE = """
            if (document.documentElement.scrollWidth <= window.innerWidth + 1) return [];
            return Array.from(document.querySelectorAll('body *'))
              .filter(e => !(e.parentElement && e.parentElement.closest('.table-wrap, pre'))
                  && (e.getBoundingClientRect().right > window.innerWidth + 1
                      || (!e.matches('.table-wrap, pre') && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible')))
              .map(e => e.tagName + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))
              .concat(['document ' + document.documentElement.scrollWidth + ' px wide'])
              .slice(0, 10);""";

    @Test
    void everyPageRendersLabelledAndFitsAPhone() {
        String instance = Api.enrollInstance("living-room");
        Api.admin().body(Map.of("name", "den")).patch("/instances/" + instance);
        Api.newCode();
        String batch = Api.admin().body(Map.of("command", "get_status", "target", Map.of("instanceIds", List.of(instance))))
                .post("/commands").then().extract().path("batchId");
        People.user("admin-of-pages", "admin");
        Browser browser = browser().signIn("admin-of-pages");

        Map<String, String> pages = new java.util.LinkedHashMap<>();
        pages.put("fleet", "/console/");
        pages.put("instance", "/console/instances/" + instance);
        pages.put("codes", "/console/codes");
        pages.put("commands", "/console/commands");
        if (batch != null) {
            pages.put("batch", "/console/commands/batches/" + batch);
        }
        pages.put("matter", "/console/matter");
        pages.put("matter-commission", "/console/matter/commission");
        pages.put("people", "/console/people");
        pages.put("me", "/console/me");
        pages.put("audit", "/console/audit");

        for (var page : pages.entrySet()) {
            RestAssured.given().cookie("omnii_session", browser.driver().manage().getCookieNamed("omnii_session").getValue())
                    .accept("text/html").get(page.getValue()).then().statusCode(200)
                    .contentType(containsString("text/html"));
            browser.go(page.getValue());
            browser.settle();
            assertThat(browser.find(By.tagName("h1")).getText()).as(page.getKey()).isNotBlank();
            assertThat(browser.script(UNLABELLED_CONTROLS)).as("unlabelled controls on %s", page.getKey())
                    .asList().isEmpty();
            browser.driver().manage().window().setSize(Browser.PHONE);
            browser.settle();
            Object tooWide = browser.script(TOO_WIDE);
            browser.driver().manage().window().setSize(Browser.DESKTOP);
            browser.screenshots(page.getKey());
            assertThat(tooWide).as("what sticks out of %s at 360 px", page.getKey()).asList().isEmpty();
            assertThat(browser.consoleLog()).as("the browser's console on %s", page.getKey())
                    .noneMatch(m -> m.contains("Content Security Policy") || m.contains("Uncaught"));
        }
    }
}
