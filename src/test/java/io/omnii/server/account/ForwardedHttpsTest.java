package io.omnii.server.account;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Behind a trusted proxy that terminated TLS (the chart sets these two keys behind its Ingress or HTTPRoute), the
 * session cookie is Secure and the sign-in form stays on https; a plain HTTP request's cookie is not Secure.
 */
@QuarkusTest
@TestProfile(ForwardedHttpsTest.TrustedProxy.class)
class ForwardedHttpsTest extends ServerTest {

    public static class TrustedProxy implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.proxy.proxy-address-forwarding", "true",
                    "quarkus.http.proxy.allow-x-forwarded", "true");
        }
    }

    @Test
    void theSessionCookieIsSecureWhenTheClientsRequestWasHttps() {
        People.user("tess", "viewer");
        String overHttps = given().contentType(ContentType.JSON).header("X-Forwarded-Proto", "https")
                .body(Map.of("username", "tess", "password", People.PASSWORD)).post("/auth/sign-in").then()
                .statusCode(200).extract().header("Set-Cookie");
        assertThat(overHttps).contains("; Secure", "; HttpOnly", "; SameSite=Strict");
        String plain = People.signInResponse("tess", People.PASSWORD).then().statusCode(200).extract()
                .header("Set-Cookie");
        assertThat(plain).doesNotContain("Secure");
    }

    @Test
    void theConsolesSignInFormStaysOnHttpsBehindTheProxy() {
        People.user("tom", "viewer");
        // What a browser sends through a TLS-terminating Ingress on 443: its https origin, and the proxy passes the
        // browser's Host and adds X-Forwarded-Proto.
        String origin = "https://localhost";
        String location = given().redirects().follow(false).contentType(ContentType.URLENC).header("Host", "localhost")
                .header("X-Forwarded-Proto", "https").header("Origin", origin)
                .formParam("username", "tom").formParam("password", People.PASSWORD).formParam("next", "/console")
                .post("/auth/sign-in").then().statusCode(303).extract().header("Location");
        assertThat(location).isEqualTo(origin + "/console");
        // Without the forwarded scheme the browser's https origin is not this server's: refused as cross-site.
        given().redirects().follow(false).contentType(ContentType.URLENC).header("Host", "localhost")
                .header("Origin", origin)
                .formParam("username", "tom").formParam("password", People.PASSWORD)
                .post("/auth/sign-in").then().statusCode(403);
    }
}
