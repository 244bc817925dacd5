package io.omnii.server.mqtt;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.testsupport.LocalServicesResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

@QuarkusTest
class BrokerConnectionTest {

    // Management URLs are relative to the non-application root (/q).
    @TestHTTPResource(value = "/health/ready", management = true)
    URL readiness;

    @Test
    void readinessFollowsTheBrokerAndTheServerReconnects() throws Exception {
        awaitBroker("UP");
        LocalServicesResource.broker().close();
        try {
            awaitBroker("DOWN");
            given().get(readiness).then().statusCode(503);
        } finally {
            LocalServicesResource.broker().resume();
        }
        awaitBroker("UP");
        given().get(readiness).then().statusCode(200);
    }

    private void awaitBroker(String status) {
        Awaitility.await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                given().get(readiness).then().body("checks.find { it.name == 'MQTT broker' }.status", equalTo(status)));
    }
}
