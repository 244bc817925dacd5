package io.omnii.server.console;

import io.omnii.server.testsupport.Browser;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import org.junit.jupiter.api.AfterAll;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;

/** A console page's tests: one real browser for the class, opened by the first test that wants it. */
abstract class BrowserPageTest extends ServerTest {

    @TestHTTPResource("/")
    URL server;

    private static Browser browser;

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    /** The class's browser with no cookies: signed out. */
    Browser browser() {
        if (browser == null) {
            browser = Browser.open(server);
        }
        browser.driver().manage().deleteAllCookies();
        return browser;
    }

    /** Waits until the element shows the text; htmx may swap it for a fresh one meanwhile. */
    static void waitForText(Browser b, By by, String text) {
        b.waitUntil(d -> {
            try {
                return d.findElement(by).getText().contains(text);
            } catch (StaleElementReferenceException | NoSuchElementException e) {
                return false;
            }
        });
    }
}
