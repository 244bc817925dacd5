package io.omnii.server.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.Browser;
import io.omnii.server.testsupport.People;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

@QuarkusTest
class ConsoleSignInTest extends BrowserTest {

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
    void consolePagesForbidScriptsFromElsewhereAndFramingAndAreNeverStored() {
        given().get("/console/sign-in").then().statusCode(200)
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("X-Content-Type-Options", equalTo("nosniff"))
                .header("Cache-Control", equalTo("no-store"));
        given().get("/console/assets/console.css").then().statusCode(200)
                .header("Cache-Control", not(containsString("no-store")));
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

    @Test
    void aFailingPageIsAPageForABrowserAndJsonForHtmx() {
        People.user("carol", "viewer");
        People.Session carol = People.signIn("carol");
        given().cookie("omnii_session", carol.cookie()).accept("text/html,application/xhtml+xml")
                .get("/console/no-such-page").then().statusCode(404).contentType(containsString("text/html"))
                .body(containsString("Back to the fleet"));
        given().cookie("omnii_session", carol.cookie()).header("HX-Request", "true").accept("*/*")
                .get("/console/no-such-page").then().statusCode(404).contentType(containsString("application/json"));
    }
}
