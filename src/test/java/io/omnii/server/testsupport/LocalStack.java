package io.omnii.server.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
    private static final Path SERVER_JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private LocalStack() {
    }

    public static void main(String[] args) throws Exception {
        if (!Files.exists(SERVER_JAR)) {
            throw new IllegalStateException(SERVER_JAR + " is missing: build with ./mvnw package first");
        }
        Map<String, String> env = System.getenv();
        int apiPort = Integer.parseInt(env.getOrDefault("QUARKUS_HTTP_PORT", "3001"));
        int managementPort = Integer.parseInt(env.getOrDefault("QUARKUS_MANAGEMENT_PORT", "9000"));
        int mqttPort = Integer.parseInt(env.getOrDefault("OMNII_LOCAL_MQTT_PORT", portOrFree(1883)));
        // A token made up for this local run only; a deployed server takes its token from configuration.
        String token = env.getOrDefault("OMNII_ADMIN_TOKEN", randomToken());

        PostgresServer postgres = PostgresServer.start(DIR.resolve("postgres"), true, Map.of());
        MosquittoServer mosquitto = MosquittoServer.start(DIR.resolve("mosquitto"), mqttPort);

        ProcessBuilder server = new ProcessBuilder("java", "-jar", SERVER_JAR.toString()).inheritIO();
        server.environment().putAll(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(),
                "QUARKUS_DATASOURCE_USERNAME", PostgresServer.USER,
                "QUARKUS_DATASOURCE_PASSWORD", "",
                "QUARKUS_HTTP_PORT", String.valueOf(apiPort),
                "OMNII_MQTT_HOST", "127.0.0.1",
                "OMNII_MQTT_PORT", String.valueOf(mqttPort),
                "OMNII_MQTT_INSTANCE_BROKER_URL", "mqtt://127.0.0.1:" + mqttPort,
                "OMNII_ADMIN_TOKEN", token));
        Process process = server.start();
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

        String management = "http://localhost:" + managementPort;
        awaitReady(URI.create(management + "/q/health/ready"), process);
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

    private static void awaitReady(URI readiness, Process server) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (server.isAlive() && System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the server did not become ready; see its log above");
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
