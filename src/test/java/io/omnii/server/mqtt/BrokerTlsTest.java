package io.omnii.server.mqtt;

import static io.omnii.server.testsupport.Api.admin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** The server reaches a TLS broker with a CA and a client certificate from a Quarkus TLS configuration. */
@QuarkusTest
@TestProfile(BrokerTlsProfile.class)
class BrokerTlsTest extends ServerTest {

    @Inject
    BrokerConnection connection;

    @Inject
    TlsConfigurationRegistry tls;

    @Test
    void theServerConnectsOverTlsAndTelemetryFlows() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> connection.state().connected());
        var enrolled = given().contentType(ContentType.JSON).body(Map.of("code", Api.newCode(), "name", "Over TLS"))
                .post("/enroll").then().statusCode(200)
                .body("mqttBrokerUrl", equalTo("mqtts://localhost:" + BrokerTlsProfile.broker().port()))
                .extract().jsonPath();
        String id = enrolled.getString("instanceId");

        MqttClient instance = new MqttClient("ssl://localhost:" + BrokerTlsProfile.broker().port(),
                enrolled.getString("mqttClientId"), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setSocketFactory(tls.get("mqtt").orElseThrow().createSSLContext().getSocketFactory());
        instance.connect(options);
        try {
            instance.publish("ha-instances/" + id + "/heartbeat",
                    ("{\"status\":\"online\",\"uptime\":5,\"timestamp\":" + System.currentTimeMillis() + "}")
                            .getBytes(StandardCharsets.UTF_8), 1, false);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> admin().get("/instances/" + id).then()
                    .body("status", equalTo("online")));
        } finally {
            instance.disconnect();
            instance.close();
        }
        assertThat(connection.address()).isEqualTo("localhost:" + BrokerTlsProfile.broker().port());
    }
}
