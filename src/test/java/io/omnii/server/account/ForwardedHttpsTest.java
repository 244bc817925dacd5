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

/** Behind a trusted proxy that terminated TLS, the session cookie is Secure; a plain HTTP request's is not. */
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
}
