package io.omnii.server.testsupport;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The local run's promises, end to end, through scripts/run.sh itself (its last build, {@code --no-build}) in a
 * session and process group of its own, as a terminal runs it: a Ctrl-C (SIGINT to the whole foreground group, not
 * a SIGTERM to one process) stops every process the run started within seconds and without a WARN or ERROR line,
 * and the next run prints the same admin token and still takes the enrollment code the first one made.
 */
class LocalRunIT {

    private static final Path DIR = Path.of("target", "local-run-it").toAbsolutePath();
    private static final Duration START = Duration.ofSeconds(120);
    /** A terminal user waits this long at most; a clean stop takes about a second here. */
    private static final Duration STOP = Duration.ofSeconds(10);
    private static final Pattern TOKEN = Pattern.compile("Admin token\\s+(\\S+)");
    private static final Pattern SIGN_IN = Pattern.compile("Sign in\\s+(\\S+) / (\\S+)");
    private static final Pattern WARNING_OR_ERROR = Pattern.compile("\\b(WARN|WARNING|ERROR|SEVERE|FATAL)\\b");

    private final Map<String, String> env = Map.of(
            LocalRun.LOCAL_DIR, DIR.toString(),
            LocalRun.HTTP_PORT, String.valueOf(Ports.free()),
            LocalRun.MANAGEMENT_PORT, String.valueOf(Ports.free()),
            LocalRun.MQTT_PORT, String.valueOf(Ports.free()),
            LocalRun.POSTGRES_PORT, String.valueOf(Ports.free()));
    private final String api = "http://127.0.0.1:" + env.get(LocalRun.HTTP_PORT);

    @BeforeEach
    void emptyDirectory() throws Exception {
        killLeftovers(); // of a run that was itself killed half way
        if (Files.exists(DIR)) {
            try (Stream<Path> all = Files.walk(DIR)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(DIR);
    }

    /** Leaves nothing running when an assertion failed half way; the files stay for a look. */
    @AfterEach
    void killLeftovers() throws Exception {
        for (ProcessHandle leftover : processesOfTheRun()) {
            leftover.destroyForcibly();
            leftover.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void ctrlCStopsEverythingQuietlyAndTheNextRunKeepsTokenAndCodes() throws Exception {
        Run first = Run.start(env, DIR.resolve("run-1.log"));
        String token = first.awaitBanner();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(DIR.resolve(LocalRun.TOKEN_FILE))))
                .isEqualTo("rw-------");
        assertThat(first.output()).as("the API listens on loopback only, as its broker and database do")
                .contains("Listening on: http://127.0.0.1:" + env.get(LocalRun.HTTP_PORT),
                        "Management interface listening on http://127.0.0.1:" + env.get(LocalRun.MANAGEMENT_PORT));
        JsonPath made = given().baseUri(api).header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body(Map.of("expiresInHours", 24)).post("/enrollment-codes")
                .then().statusCode(201).extract().jsonPath();
        String code = made.getString("code");
        String id = made.getString("id");
        // The first admin the banner shows can sign in; its password is kept owner-only like the token.
        Matcher signIn = SIGN_IN.matcher(first.output());
        assertThat(signIn.find()).as("the banner shows how to sign in:%n%s", first.output()).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(DIR.resolve(LocalRun.PASSWORD_FILE))))
                .isEqualTo("rw-------");
        given().baseUri(api).contentType(ContentType.JSON)
                .body(Map.of("username", signIn.group(1), "password", signIn.group(2))).post("/auth/sign-in")
                .then().statusCode(200).body("user.role", equalTo("admin"));
        first.ctrlC();
        first.assertQuiet();

        Run second = Run.start(env, DIR.resolve("run-2.log"));
        assertThat(second.awaitBanner()).as("the token printed by the next run").isEqualTo(token);
        JsonPath codes = given().baseUri(api).header("Authorization", "Bearer " + token)
                .get("/enrollment-codes").then().statusCode(200).extract().jsonPath();
        assertThat(codes.getString("items.find { it.id == '" + id + "' }.state")).isEqualTo("active");
        given().baseUri(api).contentType(ContentType.JSON).body(Map.of("code", code, "name", "Local run"))
                .post("/enroll").then().statusCode(200).body("instanceId", notNullValue());
        given().baseUri(api).header("Authorization", "Bearer " + token).get("/enrollment-codes")
                .then().body("items.find { it.id == '" + id + "' }.state", equalTo("used"));
        second.ctrlC();
        second.assertQuiet();
    }

    /**
     * Every process of the local run in {@link #DIR}: those whose environment names that directory (scripts/run.sh
     * and all it started, PostgreSQL too, which pg_ctl detaches from its parent), and their descendants (PostgreSQL's
     * workers overwrite their environment with their process title).
     */
    private static Set<ProcessHandle> processesOfTheRun() {
        String marker = LocalRun.LOCAL_DIR + "=" + DIR;
        Set<ProcessHandle> found = new HashSet<>();
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            proc.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> environment(p).contains(marker))
                    .forEach(p -> ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(h -> {
                        found.add(h);
                        h.descendants().forEach(found::add);
                    }));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    private static List<String> environment(Path process) {
        try {
            return Arrays.asList(Files.readString(process.resolve("environ"), StandardCharsets.ISO_8859_1).split("\0"));
        } catch (IOException | SecurityException goneOrNotOurs) {
            return List.of();
        }
    }

    /** One scripts/run.sh, its output (the server's and the stack's, as a terminal shows them) in a file. */
    private record Run(Process process, Path log) {

        static Run start(Map<String, String> env, Path log) throws IOException {
            // setsid: a session and process group of its own, as a terminal gives a command; SIGINT back to its
            // default in case this JVM was started with it ignored (a background job), which children inherit.
            ProcessBuilder builder = new ProcessBuilder("setsid", "env", "--default-signal=INT", "scripts/run.sh",
                    "--no-build").redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().remove(LocalRun.ADMIN_TOKEN);
            builder.environment().putAll(env);
            return new Run(builder.start(), log);
        }

        String output() throws IOException {
            return Files.readString(log);
        }

        /** Waits for the banner and returns the admin token it shows. */
        String awaitBanner() throws Exception {
            long deadline = System.nanoTime() + START.toNanos();
            while (System.nanoTime() < deadline) {
                Matcher token = TOKEN.matcher(output());
                if (token.find()) {
                    return token.group(1);
                }
                assertThat(process.isAlive()).as("scripts/run.sh exited before its banner:%n%s", output()).isTrue();
                Thread.sleep(100);
            }
            throw new AssertionError("no banner within " + START + ":\n" + output());
        }

        /**
         * Ctrl-C in the terminal: SIGINT to every process of the foreground process group. Every process of the run
         * must be gone within {@link #STOP}, the broker and the database after the server.
         */
        void ctrlC() throws Exception {
            long group = processGroup(process.pid());
            assertThat(group).as("run.sh leads a process group of its own, not this JVM's")
                    .isEqualTo(process.pid()).isNotEqualTo(processGroup(ProcessHandle.current().pid()));
            Set<ProcessHandle> started = processesOfTheRun();
            ProcessHandle server = only(started, "the server",
                    h -> program(h).equals("java") && h.parent().map(ProcessHandle::pid).orElse(0L) == process.pid());
            ProcessHandle broker = only(started, "the broker", h -> program(h).equals("mosquitto"));
            ProcessHandle database = only(started, "PostgreSQL's postmaster", h -> program(h).equals("postgres")
                    && !h.parent().map(Run::program).orElse("?").equals("postgres"));
            // Only the two JVMs get the Ctrl-C; the stack stops the broker and the database after the server. A
            // broker in this group dies with the server and now and then shows it a lost broker first (1 in 6 stops).
            assertThat(started.stream().filter(h -> processGroup(h.pid()) == group).map(Run::program))
                    .as("the processes in the terminal's foreground group").containsExactly("java", "java");

            long since = System.nanoTime();
            assertThat(interruptGroup(group)).isZero();
            Map<Long, Long> stoppedAt = new HashMap<>();
            while (System.nanoTime() - since < STOP.toNanos()) {
                long now = System.nanoTime();
                started.stream().filter(h -> !h.isAlive()).forEach(h -> stoppedAt.putIfAbsent(h.pid(), now));
                if (stoppedAt.size() == started.size() && processesOfTheRun().isEmpty()) {
                    break;
                }
                Thread.sleep(10);
            }
            Set<String> left = new HashSet<>();
            Stream.concat(started.stream(), processesOfTheRun().stream()).filter(ProcessHandle::isAlive)
                    .forEach(h -> left.add(h.pid() + " " + h.info().commandLine().orElse("?")));
            assertThat(left).as("processes of the run still alive %s after Ctrl-C", STOP).isEmpty();
            assertThat(stoppedAt.get(broker.pid())).as("the broker stops after the server")
                    .isGreaterThanOrEqualTo(stoppedAt.get(server.pid()));
            assertThat(stoppedAt.get(database.pid())).as("the database stops after the server")
                    .isGreaterThanOrEqualTo(stoppedAt.get(server.pid()));
            System.out.printf("LocalRunIT: %d processes stopped %d ms after Ctrl-C%n", started.size(),
                    Duration.ofNanos(stoppedAt.values().stream().max(Long::compare).orElseThrow() - since).toMillis());
        }

        private static ProcessHandle only(Set<ProcessHandle> processes, String what, Predicate<ProcessHandle> test) {
            List<ProcessHandle> found = processes.stream().filter(test).toList();
            assertThat(found).as("%s among the processes of the run", what).hasSize(1);
            return found.get(0);
        }

        /** What the terminal showed from start to stop: no warning, no error, and the server's own goodbye. */
        void assertQuiet() throws IOException {
            String output = output();
            assertThat(output).as("the JUL manager is set before the first logger (exec_tool)")
                    .doesNotContain("LogManager accessed before");
            assertThat(output).as("the broker outlives the server (it is out of Ctrl-C's reach)")
                    .doesNotContain("Lost the MQTT broker");
            assertThat(output.lines().filter(l -> WARNING_OR_ERROR.matcher(l).find()))
                    .as("warnings and errors in %s", log).isEmpty();
            assertThat(output).contains("omnii-server stopped in");
        }

        /**
         * SIGINT to a process group through bash's own kill, with "--": procps-ng 4.0's kill reads "-INT -PGID" as
         * kill(-1, SIGINT), every process the user may signal (it did so here once, whole machine).
         */
        private static int interruptGroup(long group) throws Exception {
            assertThat(group).as("a process group to interrupt").isGreaterThan(1);
            return new ProcessBuilder("bash", "-c", "kill -s INT -- \"-$1\"", "ctrl-c", String.valueOf(group))
                    .inheritIO().start().waitFor();
        }

        /** Field 5 of /proc/PID/stat, counted after the command name's closing ')'; -1 for a process gone. */
        private static long processGroup(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
                return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
            } catch (IOException gone) {
                return -1;
            }
        }

        private static String program(ProcessHandle process) {
            return process.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?");
        }
    }
}
