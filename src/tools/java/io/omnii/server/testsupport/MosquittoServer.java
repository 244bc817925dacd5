package io.omnii.server.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A real Mosquitto broker (the distribution's package) on a loopback port, its files under one directory. */
public final class MosquittoServer implements AutoCloseable {

    private static final String BINARY = "/usr/sbin/mosquitto";

    private final Path dir;
    private final int port;
    private final boolean detached;
    private volatile Process process;

    private MosquittoServer(Path dir, int port, boolean detached) {
        this.dir = dir;
        this.port = port;
        this.detached = detached;
    }

    /** The add-on guide's broker: anonymous clients welcome. */
    public static MosquittoServer start(Path dir, int port) throws IOException {
        return start(dir, port, List.of("listener " + port + " 127.0.0.1", "allow_anonymous true"), false);
    }

    /**
     * The same broker for the local run: in a session of its own, so that the terminal's Ctrl-C reaches only the
     * local run, which stops the server first and this broker after it ({@link LocalStack}), and with no shutdown
     * hook of its own that would race the server's stop. Stopped before the server, it would show the server a
     * lost broker on every clean stop.
     */
    public static MosquittoServer startDetached(Path dir, int port) throws IOException {
        return start(dir, port, List.of("listener " + port + " 127.0.0.1", "allow_anonymous true"), true);
    }

    /** The broker process, while it runs. */
    public Optional<ProcessHandle> process() {
        return Optional.ofNullable(process).map(Process::toHandle);
    }

    /**
     * A broker with the dynamic-security plugin and no anonymous access; the admin account is created as
     * `mosquitto_ctrl dynsec init` does, on the first start only.
     */
    public static MosquittoServer startWithDynamicSecurity(Path dir, int port, String admin, String adminPassword)
            throws IOException, InterruptedException {
        return startWithDynamicSecurity(dir, port, admin, adminPassword, null);
    }

    /** The same, over TLS only (client certificate required) when certificates are given. */
    public static MosquittoServer startWithDynamicSecurity(Path dir, int port, String admin, String adminPassword,
            TestCertificates tls) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path state = dir.resolve("dynamic-security.json").toAbsolutePath();
        if (!Files.exists(state)) {
            Process init = new ProcessBuilder("mosquitto_ctrl", "dynsec", "init", state.toString(), admin, adminPassword)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!init.waitFor(30, TimeUnit.SECONDS) || init.exitValue() != 0) {
                throw new IOException("mosquitto_ctrl dynsec init failed");
            }
        }
        List<String> lines = new ArrayList<>(List.of("listener " + port + " 127.0.0.1", "allow_anonymous false",
                "plugin " + dynamicSecurityPlugin(), "plugin_opt_config_file " + state));
        if (tls != null) {
            lines.addAll(tlsLines(tls, true));
        }
        return start(dir, port, lines, false);
    }

    /** A TLS-only broker: its certificate and key, the CA it checks client certificates against, if required. */
    public static MosquittoServer startWithTls(Path dir, int port, TestCertificates certificates,
            boolean requireClientCertificate) throws IOException {
        List<String> lines = new ArrayList<>(List.of("listener " + port + " 127.0.0.1", "allow_anonymous true"));
        lines.addAll(tlsLines(certificates, requireClientCertificate));
        return start(dir, port, lines, false);
    }

    private static List<String> tlsLines(TestCertificates certificates, boolean requireClientCertificate) {
        return List.of("cafile " + certificates.caCertificate(), "certfile " + certificates.serverCertificate(),
                "keyfile " + certificates.serverKey(), "require_certificate " + requireClientCertificate);
    }

    /** Where this machine's Mosquitto package keeps the dynamic-security plugin. */
    public static String dynamicSecurityPlugin() throws IOException {
        try (var found = Files.find(Path.of("/usr/lib"), 2,
                (p, a) -> p.getFileName().toString().equals("mosquitto_dynamic_security.so"))) {
            return found.findFirst().orElseThrow(() -> new IOException(
                    "Mosquitto's dynamic-security plugin is missing: apt-get install mosquitto")).toString();
        }
    }

    private static MosquittoServer start(Path dir, int port, List<String> listener, boolean detached)
            throws IOException {
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>(List.of("# Written by MosquittoServer; throwaway broker for tests and the local run."));
        lines.addAll(listener);
        Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n", lines) + "\n" + String.join("\n",
                // Remains the current user when started as root, instead of switching to 'mosquitto'.
                "user " + System.getProperty("user.name"),
                "persistence true",
                "persistence_location " + dir.toAbsolutePath() + "/",
                "log_dest file " + dir.toAbsolutePath().resolve("mosquitto.log"),
                // Mosquitto 2.0's default limits drop QoS 1 messages under load (see TOOLCHAIN.md): set them on purpose.
                "max_inflight_messages 0",
                "max_queued_messages 1000000",
                "max_queued_bytes 0",
                // No persistent_client_expiration: Mosquitto caps every session with it, the server's MQTT 5 session
                // expiry (omnii.mqtt.session-expiry) included, and every other client of ours uses a clean session.
                // Small packets (PUBACKs, heartbeats) leave at once instead of waiting on Nagle's algorithm.
                "set_tcp_nodelay true",
                ""));
        MosquittoServer server = new MosquittoServer(dir, port, detached);
        if (!detached) {
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }
        server.resume();
        return server;
    }

    /** Starts the broker process (again, after {@link #close()}) on the same port with the same state. */
    public void resume() throws IOException {
        String binary = Files.isExecutable(Path.of(BINARY)) ? BINARY : "mosquitto";
        try {
            List<String> command = new ArrayList<>(detached ? List.of("setsid") : List.of());
            command.addAll(List.of(binary, "-c", dir.resolve("mosquitto.conf").toString()));
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new IOException("Mosquitto is not installed: apt-get install mosquitto (scripts/test.sh does this)", e);
        }
        Ports.awaitOpen(port, Duration.ofSeconds(10), process);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        Process process = this.process;
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
