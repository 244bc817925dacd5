package io.omnii.server.testsupport;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What the local run (scripts/run.sh, {@link LocalStack}) honours and keeps between runs, in one place so that the
 * simulator (scripts/simulate.sh) finds the same server: the environment variables that move its ports, the admin
 * token and first admin's password it made up (kept, so codes made in one run still work in the next), and the
 * ports it last ran on.
 */
public final class LocalRun {

    /** Where the local run keeps its data, its token and its ports, unless {@link #LOCAL_DIR} names another place. */
    public static final Path DEFAULT_DIR = Path.of("target", "local");
    public static final String LOCAL_DIR = "OMNII_LOCAL_DIR";
    public static final String HTTP_HOST = "QUARKUS_HTTP_HOST";
    public static final String MANAGEMENT_HOST = "QUARKUS_MANAGEMENT_HOST";
    public static final String HTTP_PORT = "QUARKUS_HTTP_PORT";
    public static final String MANAGEMENT_PORT = "QUARKUS_MANAGEMENT_PORT";
    public static final String MQTT_PORT = "OMNII_LOCAL_MQTT_PORT";
    public static final String POSTGRES_PORT = "OMNII_LOCAL_POSTGRES_PORT";
    public static final String ADMIN_TOKEN = "OMNII_ADMIN_TOKEN";
    public static final String ADMIN_USERNAME = "OMNII_ACCOUNTS_BOOTSTRAP_USERNAME";
    public static final String ADMIN_PASSWORD = "OMNII_ACCOUNTS_BOOTSTRAP_PASSWORD";
    /** The first admin's username when {@link #ADMIN_USERNAME} names none. */
    public static final String DEFAULT_ADMIN_USERNAME = "admin";
    static final String TOKEN_FILE = "admin-token";
    static final String PASSWORD_FILE = "admin-password";
    static final String PORTS_FILE = "ports.properties";

    private LocalRun() {
    }

    /** {@code OMNII_LOCAL_DIR} when set (relative to the checkout, where the scripts run), else target/local. */
    public static Path dir(Map<String, String> env) {
        String value = env.get(LOCAL_DIR);
        return value == null || value.isBlank() ? DEFAULT_DIR : Path.of(value.strip());
    }

    /** The port a variable names, or the default. */
    public static int port(Map<String, String> env, String variable, int defaultPort) {
        String value = env.get(variable);
        if (value == null || value.isBlank()) {
            return defaultPort;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + " must be a port number, not '" + value + "'");
        }
    }

    /** The port a variable names, or {@code preferred} if it is free, or any free port. */
    public static int portOrFree(Map<String, String> env, String variable, int preferred) {
        if (env.containsKey(variable) && !env.get(variable).isBlank()) {
            return port(env, variable, preferred);
        }
        try (ServerSocket s = new ServerSocket(preferred)) {
            return preferred;
        } catch (IOException busy) {
            return Ports.free();
        }
    }

    /**
     * {@code OMNII_ADMIN_TOKEN} when set; otherwise the token an earlier run made and kept in {@code dir}, or a new
     * one, kept there readable by the owner only. The code-hash key derives from the token, so a new token every run
     * would void every unused enrollment code.
     */
    public static String adminToken(Map<String, String> env, Path dir) throws IOException {
        return kept(env, ADMIN_TOKEN, dir, TOKEN_FILE);
    }

    /**
     * The password of the first admin the local server creates on an empty database: {@code
     * OMNII_ACCOUNTS_BOOTSTRAP_PASSWORD} when set, else made up on the first run and kept in {@code dir} like the
     * token (the admin, once created, keeps it until changed through the API).
     */
    public static String adminPassword(Map<String, String> env, Path dir) throws IOException {
        return kept(env, ADMIN_PASSWORD, dir, PASSWORD_FILE);
    }

    /** The token the local run keeps in {@code dir}, if it made one. */
    public static Optional<String> savedToken(Path dir) throws IOException {
        return saved(dir, TOKEN_FILE);
    }

    /** A secret from {@code variable}, else the one kept in {@code dir/file}, else a new one kept there owner-only. */
    private static String kept(Map<String, String> env, String variable, Path dir, String name) throws IOException {
        String given = env.get(variable);
        if (given != null && !given.isBlank()) {
            return given;
        }
        Optional<String> saved = saved(dir, name);
        if (saved.isPresent()) {
            return saved.get();
        }
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        // Created owner-only, before the secret is written into it.
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, secret + "\n");
        return secret;
    }

    private static Optional<String> saved(Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String secret = Files.readString(file).strip();
        return secret.isEmpty() ? Optional.empty() : Optional.of(secret);
    }

    /** Remembers the ports of this run for the simulator: {@code api}, {@code management}, {@code mqtt}, ... */
    public static void recordPorts(Path dir, Map<String, Integer> ports) throws IOException {
        Properties p = new Properties();
        ports.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        Files.createDirectories(dir);
        try (Writer w = Files.newBufferedWriter(dir.resolve(PORTS_FILE))) {
            p.store(w, "Written by LocalStack at each start: the ports of the last local run");
        }
    }

    /** A port the last local run recorded. */
    public static Optional<Integer> recordedPort(Path dir, String name) throws IOException {
        Path file = dir.resolve(PORTS_FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return Optional.ofNullable(p.getProperty(name)).map(Integer::valueOf);
    }
}
