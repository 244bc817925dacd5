package io.omnii.server.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The packaged server (target/quarkus-app) as a child process wired to a PostgreSQL and a Mosquitto. */
public final class ServerProcess {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    /** The application class-data archive (AppCDS) that {@link #appCds()} trains and then uses. */
    public static final Path CDS_ARCHIVE = Path.of("target", "quarkus-app", "app-cds.jsa");

    private final Map<String, String> env;
    private final int apiPort;
    private final int managementPort;
    private final boolean inheritIo;
    /**
     * The JVM options we run the server with (docs/performance.md): the serial collector and a heap that starts
     * small keep the idle RSS under 200 MB on a small machine, with no loss of ingest throughput. Options given to
     * {@link #jvmOptions} come after these and win.
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx512m",
            "-XX:ReservedCodeCacheSize=96m", "-Xss512k",
            // C2 waits for code run 30,000 times rather than 5,000: start-up code mostly stays with C1 (a second less
            // to start, 15 MiB less idle) and the ingest path still reaches C2 within its first 100,000 messages.
            "-XX:Tier4InvocationThreshold=30000", "-XX:Tier4MinInvocationThreshold=10000",
            "-XX:Tier4CompileThreshold=40000", "-XX:Tier4BackEdgeThreshold=200000");

    private final List<String> jvmOptions = new ArrayList<>(DEFAULT_JVM_OPTIONS);
    private boolean appCds;
    private Process process;

    public ServerProcess(PostgresServer postgres, int mqttPort, String adminToken, int apiPort, int managementPort,
            boolean inheritIo) {
        this.apiPort = apiPort;
        this.managementPort = managementPort;
        this.inheritIo = inheritIo;
        this.env = new HashMap<>(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(),
                "QUARKUS_DATASOURCE_USERNAME", PostgresServer.USER,
                "QUARKUS_DATASOURCE_PASSWORD", "",
                "QUARKUS_HTTP_PORT", String.valueOf(apiPort),
                "QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort),
                "OMNII_MQTT_HOST", "127.0.0.1",
                "OMNII_MQTT_PORT", String.valueOf(mqttPort),
                "OMNII_MQTT_INSTANCE_BROKER_URL", "mqtt://127.0.0.1:" + mqttPort,
                "OMNII_ADMIN_TOKEN", adminToken));
    }

    /** Sets or overrides one of the server's environment variables (a configuration key), as a deployment would. */
    public ServerProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Options for the server's JVM, before {@code -jar}. */
    public ServerProcess jvmOptions(List<String> options) {
        jvmOptions.addAll(options);
        return this;
    }

    /**
     * Starts with the application class-data archive when there is one for this build (about a second less to
     * start, docs/performance.md); otherwise this run is the training run: the JVM writes the archive of every class
     * it loaded when the server stops normally. Quarkus' own AppCDS build step cannot be used with these options: it
     * archives with the default collector, and an archive is refused by a JVM with another one.
     */
    public ServerProcess appCds() {
        appCds = true;
        return this;
    }

    public Process start(Path log) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: build with ./mvnw package first");
        }
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(jvmOptions);
        if (appCds) {
            // A rebuild rewrites quarkus-run.jar: an archive older than it belongs to another build.
            if (Files.exists(CDS_ARCHIVE)
                    && Files.getLastModifiedTime(CDS_ARCHIVE).compareTo(Files.getLastModifiedTime(JAR)) < 0) {
                Files.delete(CDS_ARCHIVE);
            }
            command.add(Files.exists(CDS_ARCHIVE) ? "-XX:SharedArchiveFile=" + CDS_ARCHIVE
                    : "-XX:ArchiveClassesAtExit=" + CDS_ARCHIVE);
        }
        command.addAll(List.of("-jar", JAR.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        if (inheritIo) {
            builder.inheritIO();
        } else {
            builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        }
        process = builder.start();
        return process;
    }

    /** Waits until the readiness check passes: database and broker both reached. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI readiness = URI.create(managementUrl() + "/q/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (process.isAlive() && System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(20); // fine enough to time start-up with (scripts/bench.sh)
        }
        throw new IllegalStateException("the server did not become ready; see its log");
    }

    /** Ends the server at once, as a crash or an OOM kill would: no shutdown hooks, no goodbyes. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Asks the server to stop as Kubernetes would (SIGTERM), and waits. */
    public int stop() throws InterruptedException {
        process.destroy();
        return process.waitFor();
    }

    public String apiUrl() {
        return "http://localhost:" + apiPort;
    }

    public String managementUrl() {
        return "http://localhost:" + managementPort;
    }
}
