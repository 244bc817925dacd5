package io.omnii.server.broker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.omnii.server.testsupport.MosquittoServer;
import io.omnii.server.testsupport.Ports;
import io.omnii.server.testsupport.PostgresServer;
import io.omnii.server.testsupport.ServerProcess;
import io.omnii.server.testsupport.TestCertificates;
import io.restassured.http.ContentType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged server configured only through environment variables, as the chart configures it: TLS to the broker
 * with a CA and a client certificate from a named Quarkus TLS configuration, and per-instance accounts through the
 * dynamic-security plugin over that same TLS. The variable names are the ones the chart sets (ChartTest checks them).
 */
class SecuredBrokerFromEnvironmentIT {

    private static final Path DIR = Path.of("target", "it-services", "secured-broker");
    private static final String TOKEN = "it-admin-token-0123456789abcdef";

    @Test
    void theServerProvisionsInstancesOverTlsConfiguredByEnvironment() throws Exception {
        TestCertificates certificates = TestCertificates.generate(DIR.resolve("certs"));
        try (PostgresServer postgres = PostgresServer.start(DIR.resolve("postgres"), false, Map.of("fsync", "off"));
                MosquittoServer broker = MosquittoServer.startWithDynamicSecurity(DIR.resolve("mosquitto"),
                        Ports.free(), "omnii-admin", "admin-password-it", certificates)) {
            ServerProcess server = new ServerProcess(postgres, broker.port(), TOKEN, Ports.free(), Ports.free(), false)
                    .env("OMNII_MQTT_HOST", "localhost")
                    .env("OMNII_MQTT_TLS", "true")
                    .env("OMNII_MQTT_TLS_CONFIGURATION_NAME", "mqtt")
                    .env("QUARKUS_TLS_MQTT_TRUST_STORE_PEM_CERTS", certificates.caCertificate().toString())
                    .env("QUARKUS_TLS_MQTT_KEY_STORE_PEM_CLIENT_CERT", certificates.clientCertificate().toString())
                    .env("QUARKUS_TLS_MQTT_KEY_STORE_PEM_CLIENT_KEY", certificates.clientKey().toString())
                    .env("OMNII_MQTT_USERNAME", "omnii-server")
                    .env("OMNII_MQTT_PASSWORD", "server-password-it")
                    .env("OMNII_MQTT_PROVISIONING_MODE", "mosquitto-dynsec")
                    .env("OMNII_MQTT_PROVISIONING_ADMIN_USERNAME", "omnii-admin")
                    .env("OMNII_MQTT_PROVISIONING_ADMIN_PASSWORD", "admin-password-it")
                    .env("OMNII_MQTT_INSTANCE_BROKER_URL", "mqtts://localhost:" + broker.port());
            server.start(DIR.resolve("server.log"));
            try {
                // Ready means PostgreSQL and the broker connection: the server's account exists and TLS works.
                server.awaitReady(Duration.ofSeconds(90));
                String code = given().baseUri(server.apiUrl()).header("Authorization", "Bearer " + TOKEN)
                        .contentType(ContentType.JSON).body("{}").post("/enrollment-codes")
                        .then().statusCode(201).extract().path("code");
                Map<String, Object> enrolled = given().baseUri(server.apiUrl()).contentType(ContentType.JSON)
                        .body(Map.of("code", code, "name", "From env")).post("/enroll")
                        .then().statusCode(200).extract().as(Map.class);
                assertThat(enrolled.get("mqttBrokerUrl")).isEqualTo("mqtts://localhost:" + broker.port());
                assertThat((String) enrolled.get("mqttPassword")).isNotBlank();
            } finally {
                server.stop();
            }
        }
    }
}
