package io.omnii.server.broker;

import io.omnii.server.testsupport.MosquittoServer;
import io.omnii.server.testsupport.Ports;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The server in mosquitto-dynsec mode against its own Mosquitto with the dynamic-security plugin. */
public class DynsecProfile implements QuarkusTestProfile {

    static final String ADMIN = "dynsec-admin";
    static final String ADMIN_PASSWORD = "admin-password-for-tests";
    static final String SERVER_USER = "omnii-server";
    static final String SERVER_PASSWORD = "server-password-for-tests";
    private static MosquittoServer broker;

    static synchronized MosquittoServer broker() {
        if (broker == null) {
            try {
                Path dir = Path.of("target", "test-services", "mosquitto-dynsec-" + ProcessHandle.current().pid());
                broker = MosquittoServer.startWithDynamicSecurity(dir, Ports.free(), ADMIN, ADMIN_PASSWORD);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return broker;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        int port = broker().port();
        return Map.of(
                "omnii.mqtt.port", String.valueOf(port),
                "omnii.mqtt.instance-broker-url", "mqtt://127.0.0.1:" + port,
                "omnii.mqtt.username", SERVER_USER,
                "omnii.mqtt.password", SERVER_PASSWORD,
                "omnii.mqtt.client-id", "omnii-server-dynsec-test",
                "omnii.mqtt.provisioning.mode", "mosquitto-dynsec",
                "omnii.mqtt.provisioning.admin-username", ADMIN,
                "omnii.mqtt.provisioning.admin-password", ADMIN_PASSWORD,
                "omnii.mqtt.provisioning.request-timeout", "3s");
    }
}
