package io.omnii.server.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Starts a real PostgreSQL and a real Mosquitto, once, for every Quarkus test of the run. */
public class LocalServicesResource implements QuarkusTestResourceLifecycleManager {

    private static final Path DIR = Path.of("target", "test-services");
    // Test data is thrown away after the run: durability would only cost time.
    private static final Map<String, String> FAST = Map.of("fsync", "off", "synchronous_commit", "off",
            "full_page_writes", "off");

    private static volatile MosquittoServer broker;
    private PostgresServer postgres;
    private MosquittoServer mosquitto;

    /** The broker of this test run, for tests that take it down and bring it back. */
    public static MosquittoServer broker() {
        return broker;
    }

    @Override
    public Map<String, String> start() {
        try {
            postgres = PostgresServer.start(DIR.resolve("postgres"), false, FAST);
            // A fresh broker: no session or queued message of an earlier run.
            Files.deleteIfExists(DIR.resolve("mosquitto").resolve("mosquitto.db"));
            mosquitto = MosquittoServer.start(DIR.resolve("mosquitto"), Ports.free());
            broker = mosquitto;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "quarkus.datasource.jdbc.url", postgres.jdbcUrl(),
                "quarkus.datasource.username", PostgresServer.USER,
                "quarkus.datasource.password", "",
                "omnii.mqtt.host", "127.0.0.1",
                "omnii.mqtt.port", String.valueOf(mosquitto.port()),
                "omnii.mqtt.instance-broker-url", "mqtt://127.0.0.1:" + mosquitto.port());
    }

    @Override
    public void stop() {
        if (mosquitto != null) {
            mosquitto.close();
        }
        try {
            if (postgres != null) {
                postgres.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
