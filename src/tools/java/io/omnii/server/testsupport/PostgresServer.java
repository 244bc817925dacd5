package io.omnii.server.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/** A real PostgreSQL 17 from the binaries in a Maven jar: no installed server, no Docker. */
public final class PostgresServer implements AutoCloseable {

    public static final String DATABASE = "omnii";
    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * Starts PostgreSQL with its data in {@code dataDir}.
     *
     * @param keepData keep what an earlier run left (the local run) instead of starting empty (tests)
     * @param settings extra server settings, e.g. relaxed durability for tests
     */
    public static PostgresServer start(Path dataDir, boolean keepData, Map<String, String> settings) throws IOException {
        return start(dataDir, keepData, settings, Ports.free(), true);
    }

    /** Starts on the given port: how a test brings back, where its clients expect it, a server it stopped. */
    public static PostgresServer start(Path dataDir, boolean keepData, Map<String, String> settings, int port)
            throws IOException {
        return start(dataDir, keepData, settings, port, true);
    }

    /**
     * For the local run: its data kept, on a port it chooses (so that psql finds it again), and stopped by the
     * caller in its own order, not by a shutdown hook of the library's that would race the server's stop. PostgreSQL
     * runs in a session of its own (pg_ctl sees to it), so the terminal's Ctrl-C does not reach it.
     */
    public static PostgresServer startDetached(Path dataDir, int port) throws IOException {
        return start(dataDir, true, Map.of(), port, false);
    }

    private static PostgresServer start(Path dataDir, boolean keepData, Map<String, String> settings, int port,
            boolean shutdownHook) throws IOException {
        Files.createDirectories(dataDir.getParent());
        Path workDir = dataDir.resolveSibling(dataDir.getFileName() + "-binaries");
        Files.createDirectories(workDir);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir.toFile())
                .setCleanDataDirectory(!keepData)
                .setOverrideWorkingDirectory(workDir.toFile())
                .setPort(port)
                .setRegisterShutdownHook(shutdownHook);
        settings.forEach(builder::setServerConfig);
        PostgresServer server = new PostgresServer(builder.start());
        server.createDatabase();
        return server;
    }

    private void createDatabase() throws IOException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                var exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, DATABASE);
            if (!exists.executeQuery().next()) {
                c.createStatement().execute("CREATE DATABASE " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IOException("could not create database " + DATABASE, e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl(USER, DATABASE).replaceFirst("\\?.*", "");
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
