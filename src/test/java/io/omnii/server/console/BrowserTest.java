package io.omnii.server.console;

import io.omnii.server.testsupport.Browser;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import org.junit.jupiter.api.AfterAll;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;

/** Base of the console's browser tests: one real Chromium per test class, each test starting signed out. */
abstract class BrowserTest extends ServerTest {

    private static Browser browser;

    @TestHTTPResource("/")
    URL server;

    /** The class's browser, opened by the first test that asks (the server's URL is known only then), cookies cleared. */
    Browser browser() {
        if (browser == null) {
            browser = Browser.open(server);
        }
        browser.driver().manage().deleteAllCookies();
        return browser;
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
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
