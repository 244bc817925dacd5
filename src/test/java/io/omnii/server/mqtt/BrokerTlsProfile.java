package io.omnii.server.mqtt;

import io.omnii.server.testsupport.MosquittoServer;
import io.omnii.server.testsupport.Ports;
import io.omnii.server.testsupport.TestCertificates;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.file.Path;
import java.util.Map;

/** The server against a TLS-only Mosquitto that requires a client certificate, both made in the test. */
public class BrokerTlsProfile implements QuarkusTestProfile {

    private static MosquittoServer broker;
    private static TestCertificates certificates;

    static synchronized MosquittoServer broker() {
        if (broker == null) {
            try {
                Path dir = Path.of("target", "test-services", "mosquitto-tls-" + ProcessHandle.current().pid());
                certificates = TestCertificates.generate(dir.resolve("certs"));
                broker = MosquittoServer.startWithTls(dir, Ports.free(), certificates, true);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the TLS broker: " + e.getMessage(), e);
            }
        }
        return broker;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        int port = broker().port();
        return Map.of(
                "omnii.mqtt.host", "localhost",
                "omnii.mqtt.port", String.valueOf(port),
                "omnii.mqtt.client-id", "omnii-server-tls-test",
                "omnii.mqtt.instance-broker-url", "mqtts://localhost:" + port,
                "omnii.mqtt.tls", "true",
                "omnii.mqtt.tls-configuration-name", "mqtt",
                "quarkus.tls.mqtt.trust-store.pem.certs", certificates.caCertificate().toAbsolutePath().toString(),
                "quarkus.tls.mqtt.key-store.pem.client.cert", certificates.clientCertificate().toAbsolutePath().toString(),
                "quarkus.tls.mqtt.key-store.pem.client.key", certificates.clientKey().toAbsolutePath().toString());
    }
}
