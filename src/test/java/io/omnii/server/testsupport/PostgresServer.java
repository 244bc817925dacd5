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
        return start(dataDir, keepData, settings, Ports.free());
    }

    /** Starts on the given port: how a test brings back, where its clients expect it, a server it stopped. */
    public static PostgresServer start(Path dataDir, boolean keepData, Map<String, String> settings, int port)
            throws IOException {
        Files.createDirectories(dataDir.getParent());
        Path workDir = dataDir.resolveSibling(dataDir.getFileName() + "-binaries");
        Files.createDirectories(workDir);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir.toFile())
                .setCleanDataDirectory(!keepData)
                .setOverrideWorkingDirectory(workDir.toFile())
                .setPort(port);
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
