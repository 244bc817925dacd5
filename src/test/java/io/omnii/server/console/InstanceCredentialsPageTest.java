package io.omnii.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnii.server.broker.DynsecProfile;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.Browser;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.net.URL;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** Rotation needs per-instance broker accounts, so this runs against the dynamic-security broker. */
@QuarkusTest
@TestProfile(DynsecProfile.class)
class InstanceCredentialsPageTest extends ServerTest {

    @TestHTTPResource("/")
    URL server;

    @Test
    void rotatedCredentialsAreShownOnceAndNotAfterAReload() {
        String id = Api.enrollInstance("Rotated");
        People.user("root", "admin");
        try (Browser b = Browser.open(server)) {
            b.go("/console/instances/" + id).signIn("root");
            b.find(By.id("rotate")).click();
            b.waitUntil(ExpectedConditions.alertIsPresent()).accept();
            String password = b.find(By.id("new-password")).getText();
            assertThat(password).hasSizeGreaterThanOrEqualTo(16);

            b.go("/console/instances/" + id);
            b.find(By.id("overview"));
            assertThat(b.all(By.id("new-password"))).isEmpty();
            assertThat(b.driver().getPageSource()).doesNotContain(password);
        }
        // The answer that carried it is kept by no cache.
        People.Session root = People.signIn("root");
        Response again = root.request().post("/console/instances/" + id + "/credentials");
        again.then().statusCode(200).header("Cache-Control", "no-store");
    }
}
