package io.omnii.server.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * The local run behind scripts/run.sh: a real PostgreSQL and a real Mosquitto with their data under target/local,
 * then the packaged server wired to both. Ctrl-C stops all three.
 */
public final class LocalStack {

    private static final Path DIR = Path.of("target", "local");

    private LocalStack() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        int apiPort = Integer.parseInt(env.getOrDefault("QUARKUS_HTTP_PORT", "3001"));
        int managementPort = Integer.parseInt(env.getOrDefault("QUARKUS_MANAGEMENT_PORT", "9000"));
        int mqttPort = Integer.parseInt(env.getOrDefault("OMNII_LOCAL_MQTT_PORT", portOrFree(1883)));
        // A token made up for this local run only; a deployed server takes its token from configuration.
        String token = env.getOrDefault("OMNII_ADMIN_TOKEN", randomToken());

        PostgresServer postgres = PostgresServer.start(DIR.resolve("postgres"), true, Map.of());
        MosquittoServer mosquitto = MosquittoServer.start(DIR.resolve("mosquitto"), mqttPort);

        ServerProcess server = new ServerProcess(postgres, mqttPort, token, apiPort, managementPort, true);
        Process process = server.start(null);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            process.destroy();
            try {
                process.waitFor();
                mosquitto.close();
                postgres.close();
            } catch (InterruptedException | IOException e) {
                Thread.currentThread().interrupt();
            }
        }));

        server.awaitReady(Duration.ofSeconds(120));
        String management = server.managementUrl();
        String api = "http://localhost:" + apiPort;
        System.out.printf("""

                ==================================================================
                 Omnii Server is running
                   API          %1$s
                   Swagger UI   %1$s/q/swagger-ui
                   Health       %6$s/q/health
                   Metrics      %6$s/q/metrics
                   PostgreSQL   %2$s (data in %3$s)
                   MQTT broker  mqtt://127.0.0.1:%4$d
                   Admin token  %5$s
                 Try:
                   curl -X POST %1$s/enrollment-codes -H "Authorization: Bearer %5$s" \\
                        -H "Content-Type: application/json" -d '{"expiresInHours": 24}'
                 Ctrl-C stops the server, the broker and the database.
                ==================================================================

                """, api, postgres.jdbcUrl(), DIR.resolve("postgres"), mqttPort, token, management);
        System.exit(process.waitFor());
    }

    private static String portOrFree(int preferred) {
        try (ServerSocket s = new ServerSocket(preferred)) {
            return String.valueOf(preferred);
        } catch (IOException busy) {
            return String.valueOf(Ports.free());
        }
    }

    private static String randomToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
