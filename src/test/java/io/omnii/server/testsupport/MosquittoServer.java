package io.omnii.server.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real Mosquitto broker (the distribution's package) on a loopback port, its files under one directory. */
public final class MosquittoServer implements AutoCloseable {

    private static final String BINARY = "/usr/sbin/mosquitto";

    private final Process process;
    private final int port;

    private MosquittoServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static MosquittoServer start(Path dir, int port) throws IOException {
        String binary = Files.isExecutable(Path.of(BINARY)) ? BINARY : "mosquitto";
        Files.createDirectories(dir);
        Path config = dir.resolve("mosquitto.conf");
        Files.writeString(config, String.join("\n",
                "# Written by MosquittoServer; throwaway broker for tests and the local run.",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous true",
                // Remains the current user when started as root, instead of switching to 'mosquitto'.
                "user " + System.getProperty("user.name"),
                "persistence true",
                "persistence_location " + dir.toAbsolutePath() + "/",
                "log_dest file " + dir.toAbsolutePath().resolve("mosquitto.log"),
                // Mosquitto 2.0's default limits drop QoS 1 messages under load (see TOOLCHAIN.md): set them on purpose.
                "max_inflight_messages 0",
                "max_queued_messages 1000000",
                "max_queued_bytes 0",
                ""));
        Process process;
        try {
            process = new ProcessBuilder(binary, "-c", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new IOException("Mosquitto is not installed: apt-get install mosquitto (scripts/test.sh does this)", e);
        }
        MosquittoServer server = new MosquittoServer(process, port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        Ports.awaitOpen(port, Duration.ofSeconds(10), process);
        return server;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
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
