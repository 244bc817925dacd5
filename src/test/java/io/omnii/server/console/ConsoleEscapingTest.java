package io.omnii.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.Browser;
import io.omnii.server.testsupport.People;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * What instances and people supply is shown as text, never run or parsed as markup. The CSP would stop an inline
 * handler anyway, so the test looks for the injected elements themselves, not only for their effect.
 */
@QuarkusTest
class ConsoleEscapingTest extends BrowserTest {

    /** Names an attacker could give an instance through the add-on's enrollment. */
    static final List<String> HOSTILE_NAMES = List.of(
            "<img src=x onerror=alert(1)>",
            "\"><img src=x id=injected-attr onerror=\"window.injected=1\">",
            "</td></tr></table><script id=injected-script>window.injected=2</script>",
            "{chrome.csrf} {#include layout /}",
            "javascript:alert(3)");

    @Test
    void hostileInstanceNamesAreInertOnEveryPageThatShowsThem() {
        List<String> ids = HOSTILE_NAMES.stream().map(Api::enrollInstance).toList();
        People.user("reader", "admin");
        Browser browser = browser().signIn("reader");

        List<String> pages = new java.util.ArrayList<>(List.of("/console/", "/console/?q=%3Cimg", "/console/audit",
                "/console/commands?" + String.join("&", ids.stream().map(id -> "instance=" + id).toList())));
        ids.forEach(id -> pages.add("/console/instances/" + id));
        for (String page : pages) {
            browser.go(page);
            browser.settle();
            String text = browser.find(By.tagName("main")).getText();
            assertThat(browser.alertOpen()).as("an alert on %s", page).isFalse();
            assertThat(browser.all(By.cssSelector("img[src='x'], #injected-attr, #injected-script")))
                    .as("markup from a name on %s", page).isEmpty();
            assertThat(browser.script("return window.injected === undefined")).as(page).isEqualTo(true);
            if (page.equals("/console/")) {
                assertThat(text).contains(HOSTILE_NAMES);
            }
        }
        assertThat(browser.consoleLog()).noneMatch(m -> m.contains("Refused to execute inline"));
    }
}
