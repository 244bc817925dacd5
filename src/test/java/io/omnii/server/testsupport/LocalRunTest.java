package io.omnii.server.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRunTest {

    @TempDir
    Path dir;

    @Test
    void madeUpTokenIsKeptOwnerOnlyAndReusedByTheNextRun() throws Exception {
        String first = LocalRun.adminToken(Map.of(), dir);
        String second = LocalRun.adminToken(Map.of(), dir);

        assertThat(first).hasSizeGreaterThanOrEqualTo(16).isEqualTo(second);
        Path file = dir.resolve(LocalRun.TOKEN_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(LocalRun.savedToken(dir)).contains(first);
    }

    @Test
    void tokenFromTheEnvironmentWinsAndIsNotKept() throws Exception {
        String kept = LocalRun.adminToken(Map.of(), dir);
        String given = "a-token-chosen-by-the-user-0123";

        assertThat(LocalRun.adminToken(Map.of(LocalRun.ADMIN_TOKEN, given), dir)).isEqualTo(given);
        assertThat(LocalRun.savedToken(dir)).contains(kept);
    }

    @Test
    void madeUpAdminPasswordIsKeptOwnerOnlyApartFromTheToken() throws Exception {
        String token = LocalRun.adminToken(Map.of(), dir);
        String password = LocalRun.adminPassword(Map.of(), dir);

        assertThat(password).hasSizeGreaterThanOrEqualTo(10).isNotEqualTo(token)
                .isEqualTo(LocalRun.adminPassword(Map.of(), dir));
        Path file = dir.resolve(LocalRun.PASSWORD_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(LocalRun.adminPassword(Map.of(LocalRun.ADMIN_PASSWORD, "chosen by the user"), dir))
                .isEqualTo("chosen by the user");
    }

    @Test
    void portsOfTheLastRunAreRecorded() throws Exception {
        LocalRun.recordPorts(dir, Map.of("api", 3101, "mqtt", 1983));

        assertThat(LocalRun.recordedPort(dir, "api")).contains(3101);
        assertThat(LocalRun.recordedPort(dir, "mqtt")).contains(1983);
        assertThat(LocalRun.recordedPort(dir.resolve("none"), "api")).isEmpty();
    }
}
