package io.omnii.server.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.Browser;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

@QuarkusTest
class ConsoleSignInTest extends ServerTest {

    @TestHTTPResource("/")
    URL server;

    static Browser browser;

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    /** One browser for the class, opened by the first test (the server's URL is known only then), cookies cleared. */
    private Browser browser() {
        if (browser == null) {
            browser = Browser.open(server);
        }
        browser.driver().manage().deleteAllCookies();
        return browser;
    }

    @Test
    void aPageWithoutASessionSendsTheBrowserToSignInAndBack() {
        given().redirects().follow(false).accept("text/html").get("/console/?status=online")
                .then().statusCode(303)
                .header("Location", containsString("/console/sign-in?next=%2Fconsole%2F%3Fstatus%3Donline"));
        given().redirects().follow(false).header("HX-Request", "true").get("/console/")
                .then().statusCode(401).header("HX-Redirect", "/console/sign-in");
        given().redirects().follow(false).get("/").then().statusCode(303).header("Location", "/console/");
    }

    @Test
    void consolePagesForbidScriptsFromElsewhereAndFraming() {
        given().get("/console/sign-in").then().statusCode(200)
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("X-Content-Type-Options", equalTo("nosniff"));
    }

    @Test
    void signingInShowsTheFleetAndSigningOutEndsTheSession() {
        People.user("ada", "operator");
        Api.enrollInstance("kitchen-pi");
        Browser b = browser();
        b.go("/console/?size=10").signIn("ada");
        assertThat(b.driver().getCurrentUrl()).endsWith("/console/?size=10");
        assertThat(b.find(By.id("instances")).getText()).contains("kitchen-pi");
        assertThat(b.find(By.cssSelector(".who .user")).getText()).contains("ada");
        b.screenshots("fleet-skeleton");

        b.find(By.cssSelector(".who button")).click();
        b.waitUntil(d -> d.getCurrentUrl().contains("/console/sign-in"));
        b.go("/console/");
        assertThat(b.driver().getCurrentUrl()).contains("/console/sign-in");
        assertThat(b.consoleLog()).noneMatch(m -> m.contains("Content Security Policy"));
    }

    @Test
    void aWrongPasswordIsSaidOnThePage() {
        People.user("bob", "viewer");
        Browser b = browser();
        b.signIn("bob", "not the password at all");
        assertThat(b.find(By.id("sign-in-error")).getText()).isEqualTo("Wrong username or password.");
        assertThat(b.find(By.id("username")).getAttribute("value")).isEqualTo("bob");
    }
}
