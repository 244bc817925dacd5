package io.omnii.server.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The local run behind scripts/run.sh: a real PostgreSQL and a real Mosquitto with their data under target/local
 * (or {@code OMNII_LOCAL_DIR}), then the packaged server wired to both. Ctrl-C stops all three, the server first: the broker and the database
 * are started out of reach of the terminal's Ctrl-C and stopped after it, so a clean stop shows the server no lost
 * broker and no lost database. What it honours and keeps between runs: {@link LocalRun}.
 */
public final class LocalStack {

    private static final String LOOPBACK = "127.0.0.1";

    private LocalStack() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        Path dir = LocalRun.dir(env);
        int apiPort = LocalRun.port(env, LocalRun.HTTP_PORT, 3001);
        int managementPort = LocalRun.port(env, LocalRun.MANAGEMENT_PORT, 9000);
        int mqttPort = LocalRun.portOrFree(env, LocalRun.MQTT_PORT, 1883);
        int postgresPort = LocalRun.portOrFree(env, LocalRun.POSTGRES_PORT, 5432);
        // Kept in the local run's directory between runs; a deployed server takes its token from configuration.
        String token = LocalRun.adminToken(env, dir);
        String adminUser = env.getOrDefault(LocalRun.ADMIN_USERNAME, LocalRun.DEFAULT_ADMIN_USERNAME);
        String adminPassword = LocalRun.adminPassword(env, dir);

        PostgresServer postgres = PostgresServer.startDetached(dir.resolve("postgres"), postgresPort);
        MosquittoServer mosquitto = MosquittoServer.startDetached(dir.resolve("mosquitto"), mqttPort);
        LocalRun.recordPorts(dir, Map.of("api", apiPort, "management", managementPort, "mqtt", mqttPort,
                "postgres", postgresPort));

        ServerProcess server = new ServerProcess(postgres, mqttPort, token, apiPort, managementPort, true)
                // On loopback, like its broker and database: the banner's token opens the whole API.
                .env(LocalRun.HTTP_HOST, env.getOrDefault(LocalRun.HTTP_HOST, LOOPBACK))
                .env(LocalRun.MANAGEMENT_HOST, env.getOrDefault(LocalRun.MANAGEMENT_HOST, LOOPBACK))
                // The first admin, created only while the database has no user.
                .env(LocalRun.ADMIN_USERNAME, adminUser)
                .env(LocalRun.ADMIN_PASSWORD, adminPassword);
        Process process = server.start(null);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // In this order: the server disconnects from a broker and a database that are still there.
            process.destroy();
            try {
                process.waitFor();
                mosquitto.close();
                postgres.close();
            } catch (InterruptedException | IOException e) {
                Thread.currentThread().interrupt();
            }
        }, "local-stack-stop"));

        server.awaitReady(Duration.ofSeconds(120));
        String management = server.managementUrl();
        String api = "http://localhost:" + apiPort;
        System.out.printf("""

                ==================================================================
                 Omnii Server is running
                   Console      %1$s/   (sign in as %10$s with the password below)
                   API          %1$s
                   Swagger UI   %1$s/q/swagger-ui
                   Health       %6$s/q/health
                   Metrics      %6$s/q/metrics
                   PostgreSQL   %2$s (data in %3$s)
                                psql -h localhost -p %7$d -U postgres omnii
                   MQTT broker  mqtt://127.0.0.1:%4$d
                   Admin token  %5$s   (kept in %8$s; break-glass)
                   Sign in      %10$s / %11$s   (kept in %12$s)
                   Logs         this terminal; the broker's in %9$s
                 Try:
                   curl -X POST %1$s/enrollment-codes -H "Authorization: Bearer %5$s" \\
                        -H "Content-Type: application/json" -d '{"expiresInHours": 24}'
                   curl -c %13$s -H "Content-Type: application/json" %1$s/auth/sign-in \\
                        -d '{"username": "%10$s", "password": "%11$s"}'
                 Ctrl-C stops the server, the broker and the database.
                ==================================================================

                """, api, postgres.jdbcUrl(), dir.resolve("postgres"), mqttPort, token, management, postgresPort,
                dir.resolve(LocalRun.TOKEN_FILE), dir.resolve("mosquitto").resolve("mosquitto.log"), adminUser,
                adminPassword, dir.resolve(LocalRun.PASSWORD_FILE), dir.resolve("cookies"));
        System.exit(process.waitFor());
    }
}
