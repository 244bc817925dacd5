package io.omnii.server.sim;

import io.omnii.server.matter.peer.MatterServerPeer;
import io.omnii.server.testsupport.MosquittoServer;
import io.omnii.server.testsupport.Ports;
import io.omnii.server.testsupport.PostgresServer;
import io.omnii.server.testsupport.ServerProcess;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The ingest benchmark behind scripts/bench.sh. On this one machine it starts a PostgreSQL 17 (durable: fsync and
 * synchronous commit on, as in production; commit timestamps tracked) and a Mosquitto like the tests', and then:
 *
 * <ol>
 * <li>raw ceiling: the same heartbeats, published the same way, delivered by the broker to one plain subscriber
 * (a lean one that only acknowledges, and a Paho and a HiveMQ client one, acknowledging manually as the server
 * does);</li>
 * <li>server start to ready and idle RSS;</li>
 * <li>end to end: heartbeats published as fast as the broker takes them until every one is committed, counted
 * (the server's accepted counter, nothing rejected, every instance's row holding its last heartbeat), then a
 * realistic mix of heartbeats, metrics and status changes with every metrics row counted in PostgreSQL;</li>
 * <li>two replicas end to end: the same heartbeats split by the broker between the server and a second one (its own
 * MQTT client id, same database, broker and shared subscription), counted per replica and in sum;</li>
 * <li>heartbeat-to-commit latency at a fixed 5,000 messages/s: each of 100,000 instances gets one heartbeat stamped
 * with its publish time, and PostgreSQL's commit timestamp of the row says when it was committed;</li>
 * <li>a fleet at the add-on guide's cadence (10,000 homes, a heartbeat every 30 s, metrics every 5 minutes) for a
 * few minutes: the server's and PostgreSQL's CPU, per message too, and the server's RSS over the run;</li>
 * <li>end to end with poison: the heartbeats of the end-to-end run with {@code --poison} (0.5 %) of them replaced by
 * messages PostgreSQL refuses, the metrics with U+0000 (which the parser refuses) and, in
 * {@code poisoned-db}, metrics a trigger refuses (which only the database refuses, so their batches are halved);
 * the rate beside the clean one;</li>
 * <li>GET /instances at 100,000 instances, pages of 100 (by number, and every page by cursor), and the console's
 * fleet page as a signed-in browser asks for it, with and without filters; the presence sweep
 * turning 100,000 instances offline (its start is the event's time, its end the commit timestamp);</li>
 * <li>the Matter relay's overhead against the test peer ({@link MatterRelayBench}).</li>
 * </ol>
 *
 * Throughput figures are medians of {@code --runs} runs; everything prints as a table at the end (also written to
 * target/bench/results.md). Options: {@code --runs 3 --messages 300000 --instances 100000 --rate 5000
 * --latency-seconds 20 --publishers 4 --poison 0.005 --jvm-options "..." --matter-calls 5000 --matter-warm-up 2000
 * --cadence-homes 10000 --cadence-seconds 180 --cadence-warm-up 150}.
 */
public final class Benchmark {

    private static final Path DIR = Path.of("target", "bench");
    private static final String TOKEN = "bench-admin-token-0123456789abcdef";
    // The benchmark writes instance rows directly; the server keeps their counts by state (V6) for what it writes.
    private static final String RECOUNT = """
            UPDATE instance_count c SET n = (SELECT count(*) FROM instance i WHERE i.status = c.status
                OR (c.status = 'never_seen' AND i.status = 'offline' AND i.last_seen_at IS NULL))""";
    // September 2020: the benchmark's rounds count up from here, and the latency heartbeats, stamped now, are newer.
    private static final long T0 = 1_600_000_000_000L;

    private final Map<String, String> opts;
    private final int runs;
    private final int messages;
    private final int instanceCount;
    private final int rate;
    private final int latencySeconds;
    private final int publishers;
    private final List<String> jvmOptions;
    private final List<String> ids;
    private final List<String[]> results = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private PostgresServer postgres;
    private MosquittoServer broker;
    private ServerProcess server;
    private long serverPid;
    private HttpClient http = HttpClient.newHttpClient();
    private long round;

    private Benchmark(Map<String, String> opts) {
        this.opts = opts;
        runs = Integer.parseInt(opts.getOrDefault("runs", "3"));
        messages = Integer.parseInt(opts.getOrDefault("messages", "300000"));
        instanceCount = Integer.parseInt(opts.getOrDefault("instances", "100000"));
        rate = Integer.parseInt(opts.getOrDefault("rate", "5000"));
        latencySeconds = Integer.parseInt(opts.getOrDefault("latency-seconds", "20"));
        publishers = Integer.parseInt(opts.getOrDefault("publishers", "2"));
        jvmOptions = Arrays.stream(opts.getOrDefault("jvm-options", "").split("\\s+")).filter(s -> !s.isBlank())
                .toList();
        Random random = new Random(7);
        ids = IntStream.range(0, instanceCount).mapToObj(i -> new UUID(random.nextLong(), random.nextLong()).toString())
                .toList();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        long started = System.nanoTime();
        Benchmark bench = new Benchmark(opts);
        try {
            bench.run();
        } finally {
            bench.stopAll();
        }
        System.out.printf("%nBenchmark finished in %.0f s%n", (System.nanoTime() - started) / 1e9);
        System.exit(0);
    }

    /** One measurement of the run. */
    private interface Phase {
        void run() throws Exception;
    }

    private void run() throws Exception {
        deleteRecursively(DIR);
        Files.deleteIfExists(ServerProcess.CDS_ARCHIVE); // trained afresh by this run's first start
        Files.createDirectories(DIR);
        log("Starting PostgreSQL and Mosquitto under %s", DIR);
        postgres = PostgresServer.start(DIR.resolve("postgres"), false, Map.of(
                "fsync", "on", "synchronous_commit", "on", "full_page_writes", "on", "track_commit_timestamp", "on"));
        broker = MosquittoServer.start(DIR.resolve("mosquitto"), Ports.free());

        // The phases with the server, in order; --phases picks some, for quick comparisons (default: all).
        Map<String, Phase> serverPhases = new LinkedHashMap<>();
        serverPhases.put("startup", this::startup);
        serverPhases.put("e2e", this::endToEnd);
        serverPhases.put("replicas", this::twoReplicas);
        serverPhases.put("poisoned", () -> poisoned(false));
        serverPhases.put("poisoned-db", () -> poisoned(true));
        serverPhases.put("mixed", this::mixed);
        serverPhases.put("latency", this::latency);
        serverPhases.put("cadence", this::cadence);
        serverPhases.put("listing", this::listing);
        serverPhases.put("sweep", this::presenceSweep);
        serverPhases.put("matter", this::matterRelay);
        List<String> picked = Arrays.asList(opts.getOrDefault("phases", "").split(","));
        Predicate<String> wanted = name -> !opts.containsKey("phases") || picked.contains(name);
        if (wanted.test("raw")) {
            rawCeiling(); // before the server: the broker alone
        }
        startServer(true);
        seedInstances();
        for (Map.Entry<String, Phase> phase : serverPhases.entrySet()) {
            if (wanted.test(phase.getKey())) {
                phase.getValue().run();
            }
        }
        printTable();
    }

    // ---------------------------------------------------------------------------------------------- raw ceiling

    private void rawCeiling() throws Exception {
        Map<RawSubscriber, List<Double>> rates = new java.util.EnumMap<>(RawSubscriber.class);
        for (int r = 0; r < runs; r++) {
            for (RawSubscriber kind : RawSubscriber.values()) {
                rates.computeIfAbsent(kind, k -> new ArrayList<>()).add(raw(kind));
            }
        }
        List<Double> lean = rates.get(RawSubscriber.LEAN);
        List<Double> paho = rates.get(RawSubscriber.PAHO);
        List<Double> hivemq = rates.get(RawSubscriber.HIVEMQ);
        result("Raw: broker → one plain subscriber (lean client, ack only), heartbeats/s", fmt(median(lean)),
                runsOf(lean));
        result("Raw: broker → one Paho subscriber (acks like the server), heartbeats/s", fmt(median(paho)),
                runsOf(paho));
        result("Raw: broker → one HiveMQ client subscriber (manual acks, like Paho), heartbeats/s",
                fmt(median(hivemq)), runsOf(hivemq));
        rawRate = median(lean);
        rawPahoRate = median(paho);
    }

    private double rawRate;
    private double rawPahoRate;

    /** The raw phase's subscribers: they only count and acknowledge (QoS 1, manually in the two libraries). */
    private enum RawSubscriber {
        LEAN("lean"), PAHO("Paho"), HIVEMQ("HiveMQ");

        final String label;

        RawSubscriber(String label) {
            this.label = label;
        }
    }

    /** Publishes the heartbeats with no server listening and times their delivery to one subscriber. */
    private double raw(RawSubscriber kind) throws Exception {
        String filter = "$share/raw/ha-instances/+/heartbeat";
        AtomicLong received = new AtomicLong();
        AtomicLong lastAt = new AtomicLong();
        AtomicLong lastArrival = new AtomicLong();
        CountDownLatch all = new CountDownLatch(1);
        Runnable count = () -> {
            lastArrival.set(System.nanoTime());
            if (received.incrementAndGet() == messages) {
                lastAt.set(System.nanoTime());
                all.countDown();
            }
        };
        AutoCloseable subscriber = switch (kind) {
            case PAHO -> pahoSubscriber(filter, count);
            case HIVEMQ -> HiveMqRawSubscriber.subscribe("127.0.0.1", broker.port(), filter, count);
            case LEAN -> {
                LeanMqtt c = LeanMqtt.connect("127.0.0.1", broker.port(), "raw-lean", 1);
                c.onMessage((t, p) -> count.run());
                c.subscribe(filter);
                yield c;
            }
        };
        Thread.sleep(300); // the SUBACK
        long base = nextRoundBase();
        long start = System.nanoTime();
        publishAll(messages, k -> heartbeatFor(k, base));
        if (!all.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
            // Not the server's loss, but a loss: say so, and time what did arrive.
            notes.add(String.format(Locale.ROOT, "a raw %s subscriber received %,d of %,d messages", kind.label,
                    received.get(), messages));
            lastAt.set(lastArrival.get());
        }
        subscriber.close();
        double rate = received.get() / ((lastAt.get() - start) / 1e9);
        log("raw (%s subscriber): %,d heartbeats in %.2f s = %,.0f/s", kind.label, messages,
                (lastAt.get() - start) / 1e9, rate);
        return rate;
    }

    private AutoCloseable pahoSubscriber(String filter, Runnable count) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + broker.port(), "raw-paho", new MemoryPersistence());
        c.setManualAcks(true);
        c.setCallback(new MqttCallback() {
            public void connectionLost(Throwable cause) {
            }

            public void messageArrived(String topic, MqttMessage message) throws Exception {
                c.messageArrivedComplete(message.getId(), message.getQos());
                count.run();
            }

            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMaxInflight(1000);
        c.connect(o).waitForCompletion(10_000);
        c.subscribe(filter, 1).waitForCompletion(10_000);
        return () -> {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        };
    }

    // ---------------------------------------------------------------------------------------- server and seeding

    private void startServer(boolean firstStart) throws Exception {
        server = new ServerProcess(postgres, broker.port(), TOKEN, Ports.free(), Ports.free(), false)
                .jvmOptions(jvmOptions);
        if (!opts.containsKey("no-appcds")) {
            server.appCds(); // the first start trains the archive (written when it stops), the later ones use it
        }
        long start = System.nanoTime();
        Process p = server.start(DIR.resolve("server.log"));
        serverPid = p.pid();
        server.awaitReady(Duration.ofSeconds(90));
        double seconds = (System.nanoTime() - start) / 1e9;
        if (firstStart) {
            log("server ready in %.2f s (first start: migrations applied)", seconds);
        }
        lastStartSeconds = seconds;
    }

    private double lastStartSeconds;

    private void seedInstances() throws Exception {
        long start = System.nanoTime();
        try (Connection c = db()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO instance (id, name, tags, mqtt_client_id, status, status_changed_at, enrolled_at)
                    SELECT u, 'Home Assistant - Bench ' || n, '{bench}', 'ha-' || u, 'offline',
                           now() - interval '1 day', now() - interval '1 day' + n * interval '1 millisecond'
                      FROM unnest(?::uuid[]) WITH ORDINALITY AS t(u, n)""")) {
                ps.setArray(1, c.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
                ps.executeUpdate();
            }
            c.createStatement().execute("""
                    INSERT INTO instance_event (instance_id, at, from_status, to_status, reason)
                    SELECT id, enrolled_at, NULL, 'offline', 'enrolled' FROM instance""");
            c.createStatement().execute(RECOUNT); // rows written behind the server's back
            c.createStatement().execute("VACUUM ANALYZE");
        }
        log("seeded %,d instances in %.1f s", instanceCount, (System.nanoTime() - start) / 1e9);
    }

    private void startup() throws Exception {
        List<Double> starts = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            server.stop();
            startServer(false);
            starts.add(lastStartSeconds);
            Thread.sleep(10_000);
            rss.add(ProcStats.memoryMiB(serverPid, "VmRSS"));
            log("start to ready %.2f s, idle RSS %.0f MiB", lastStartSeconds, rss.get(r));
        }
        result("Server: JVM start to ready (s)", fmt2(median(starts)), runsOf2(starts));
        result("Server: idle RSS 10 s after ready (MiB)", fmt(median(rss)), runsOf(rss));
    }

    // ---------------------------------------------------------------------------------------------- end to end

    private void endToEnd() throws Exception {
        // The JIT compiles the ingest path during the first 100,000 messages or so: warm up first, uncounted.
        double warm = accepted("heartbeat");
        long warmBase = nextRoundBase();
        publishAll(instanceCount, k -> heartbeatFor(k, warmBase));
        awaitAccepted("heartbeat", warm + instanceCount, Duration.ofSeconds(180));
        List<Double> rates = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        List<String> loads = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            double acceptedBefore = accepted("heartbeat");
            double rejectedBefore = rejected();
            long base = nextRoundBase();
            Usage usage = new Usage();
            long start = System.nanoTime();
            publishAll(messages, k -> heartbeatFor(k, base));
            long published = System.nanoTime();
            long committed = awaitAccepted("heartbeat", acceptedBefore + messages, Duration.ofSeconds(180));
            Usage.Delta u = usage.delta();
            double seconds = (committed - start) / 1e9;
            double rate = messages / seconds;
            // Zero loss, counted: every heartbeat accepted, none dropped, every instance's row at its last beat.
            check(accepted("heartbeat") - acceptedBefore == messages, "accepted %,.0f of %,d heartbeats",
                    accepted("heartbeat") - acceptedBefore, messages);
            check(rejected() == rejectedBefore, "%,.0f messages rejected", rejected() - rejectedBefore);
            checkRowsAtLastHeartbeat(base);
            rates.add(rate);
            cpu.add(u.serverCpu / seconds);
            loads.add(u.describe(seconds));
            e2eUsage.add(new double[] {u.serverCpu / messages * 1e6, u.brokerCpu / messages * 1e6,
                    u.dbCpu / messages * 1e6, u.loadCpu / messages * 1e6,
                    (u.serverCpu + u.brokerCpu + u.dbCpu + u.loadCpu) / seconds});
            log("end to end: %,d heartbeats published in %.2f s, all committed after %.2f s = %,.0f/s; %s; nothing lost",
                    messages, (published - start) / 1e9, seconds, rate, u.describe(seconds));
        }
        double rate = median(rates);
        e2eRate = rate;
        if (rawRate == 0) {
            rawRate = Double.NaN;
            rawPahoRate = Double.NaN;
        }
        result("End to end: heartbeats published → committed, QoS 1, none lost, /s", fmt(rate), runsOf(rates));
        result("End to end ÷ raw (lean subscriber)", String.format(Locale.ROOT, "%.2f", rate / rawRate), "");
        result("End to end ÷ raw (Paho subscriber)", String.format(Locale.ROOT, "%.2f", rate / rawPahoRate), "");
        result("Server CPU during end to end (cores of 2)", String.format(Locale.ROOT, "%.2f", median(cpu)),
                String.join("; ", loads));
        result("Server RSS after end to end / peak (MiB)", fmt(ProcStats.memoryMiB(serverPid, "VmRSS")) + " / "
                + fmt(ProcStats.memoryMiB(serverPid, "VmHWM")), "");
    }

    private double e2eRate;
    // Per run: µs per heartbeat of the server, broker, PostgreSQL and load generator, and the cores all four used.
    private final List<double[]> e2eUsage = new ArrayList<>();

    /** Every instance's row holds the timestamp (and uptime) of its last heartbeat of the round starting at base. */
    private void checkRowsAtLastHeartbeat(long base) throws SQLException {
        int rounds = (messages + instanceCount - 1) / instanceCount;
        long expectedRows = Math.min(instanceCount, messages);
        long lastRoundRows = messages - (long) (rounds - 1) * instanceCount;
        long current = count("SELECT count(*) FROM instance WHERE last_report_at = to_timestamp("
                + (base + (rounds - 1) * 1000L) + " / 1000.0) AND uptime_seconds = " + (rounds - 1));
        long previous = count("SELECT count(*) FROM instance WHERE last_report_at = to_timestamp("
                + (base + (rounds - 2) * 1000L) + " / 1000.0)");
        check(current == lastRoundRows && (rounds < 2 || current + previous == expectedRows),
                "rows at their last heartbeat: %d + %d of %d", current, previous, expectedRows);
    }

    // ------------------------------------------------------------------------------------------------ two replicas

    private static final String SECOND_CLIENT_ID = "omnii-server-2";

    /**
     * Two replicas end to end: a second packaged server beside the first (its own MQTT client id; the same
     * PostgreSQL, broker and shared-subscription group), the e2e run's heartbeats split between them by the broker.
     * Counted per replica (each one's accepted counter), in sum against what was published (a second after the last,
     * so a late duplicate would show), and in the rows; CPU per heartbeat beside the one-replica run's.
     */
    private void twoReplicas() throws Exception {
        // No AppCDS for the second: it would train the archive the first one writes too; start time is not measured.
        ServerProcess second = new ServerProcess(postgres, broker.port(), TOKEN, Ports.free(), Ports.free(), false)
                .jvmOptions(jvmOptions).env("OMNII_MQTT_CLIENT_ID", SECOND_CLIENT_ID);
        long secondPid = second.start(DIR.resolve("server-2.log")).pid();
        List<ServerProcess> replicas = List.of(server, second);
        try {
            second.awaitReady(Duration.ofSeconds(90));
            // Each replica gets about half: two rounds warm the second up as one warms up a single server in e2e.
            double warm = acceptedBy(replicas, "heartbeat");
            long warmBase = nextRoundBase();
            publishAll(2 * instanceCount, k -> heartbeatFor(k, warmBase));
            awaitAcceptedBy(replicas, "heartbeat", warm + 2 * instanceCount, Duration.ofSeconds(180));
            List<Double> rates = new ArrayList<>();
            List<String> shares = new ArrayList<>();
            // Per run: µs per heartbeat of the first, the second, broker, PostgreSQL, load; the cores all five used.
            List<double[]> micros = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                List<Map<String, Double>> before = List.of(counters(server), counters(second));
                long base = nextRoundBase();
                double secondCpu = ProcStats.cpuSeconds(List.of(secondPid));
                Usage usage = new Usage();
                long start = System.nanoTime();
                publishAll(messages, k -> heartbeatFor(k, base));
                long committed = awaitAcceptedBy(replicas, "heartbeat",
                        before.stream().mapToDouble(c -> c.getOrDefault("accepted:heartbeat", 0.0)).sum() + messages,
                        Duration.ofSeconds(180));
                Usage.Delta u = usage.delta();
                double secondDelta = ProcStats.cpuSeconds(List.of(secondPid)) - secondCpu;
                double seconds = (committed - start) / 1e9;
                Thread.sleep(1_000);
                List<Map<String, Double>> after = List.of(counters(server), counters(second));
                long[] accepted = new long[2];
                for (int i = 0; i < 2; i++) {
                    accepted[i] = Math.round(after.get(i).getOrDefault("accepted:heartbeat", 0.0)
                            - before.get(i).getOrDefault("accepted:heartbeat", 0.0));
                    check(after.get(i).getOrDefault("rejected", 0.0).equals(before.get(i).getOrDefault("rejected",
                            0.0)), "replica %d rejected messages", i + 1);
                }
                // Nothing lost, nothing twice, both at work: the sum is exact and each replica took a share.
                check(accepted[0] + accepted[1] == messages, "the replicas accepted %,d + %,d of %,d heartbeats",
                        accepted[0], accepted[1], messages);
                check(accepted[0] > 0 && accepted[1] > 0, "one replica took nothing: %,d / %,d", accepted[0],
                        accepted[1]);
                checkRowsAtLastHeartbeat(base);
                rates.add(messages / seconds);
                shares.add(fmt(accepted[0]) + " / " + fmt(accepted[1]));
                micros.add(new double[] {u.serverCpu() / messages * 1e6, secondDelta / messages * 1e6,
                        u.brokerCpu() / messages * 1e6, u.dbCpu() / messages * 1e6, u.loadCpu() / messages * 1e6,
                        (u.serverCpu() + secondDelta + u.brokerCpu() + u.dbCpu() + u.loadCpu()) / seconds});
                log("two replicas: %,d heartbeats committed after %.2f s = %,.0f/s; accepted %,d by the first and "
                        + "%,d by the second (sum = published); CPU cores: first %.2f, second %.2f, broker %.2f, "
                        + "PostgreSQL %.2f, load %.2f; nothing lost", messages, seconds, messages / seconds,
                        accepted[0], accepted[1], u.serverCpu() / seconds, secondDelta / seconds,
                        u.brokerCpu() / seconds, u.dbCpu() / seconds, u.loadCpu() / seconds);
            }
            double rate = median(rates);
            result("Two replicas end to end: heartbeats published → committed, QoS 1, none lost, /s", fmt(rate),
                    runsOf(rates) + "; two server processes (client ids omnii-server, " + SECOND_CLIENT_ID
                            + "), one broker, one PostgreSQL, shared subscription");
            result("Two replicas: heartbeats accepted by the first / the second (each run)",
                    String.join("; ", shares), "every run: the sum = the " + fmt(messages)
                            + " published (/q/metrics of each, a second after), every instance's row at its last "
                            + "heartbeat");
            result("Two replicas ÷ one replica (end to end)", e2eRate > 0 ? fmt2(rate / e2eRate) : "-",
                    e2eRate > 0 ? "one replica: " + fmt(e2eRate) + "/s" : "run with e2e to compare");
            result("Two replicas ÷ raw (lean subscriber)", rawRate > 0 ? fmt2(rate / rawRate) : "-", "");
            double[] two = medians(micros);
            result("Two replicas: CPU per heartbeat (µs): servers (first + second) / broker / PostgreSQL / load",
                    String.format(Locale.ROOT, "%.0f (%.0f + %.0f) / %.0f / %.0f / %.0f", two[0] + two[1], two[0],
                            two[1], two[2], two[3], two[4]),
                    String.format(Locale.ROOT, "all: %.0f µs, %.2f cores of %d in use; ", two[0] + two[1] + two[2]
                            + two[3] + two[4], two[5], Runtime.getRuntime().availableProcessors()) + oneReplicaMicros());
        } finally {
            second.stop();
            // Its graceful stop left the shared group (UNSUBSCRIBE, then the drain), so the later phases lose nothing
            // to it. The session it kept would still wait out omnii.mqtt.session-expiry at the broker (and, had its
            // UNSUBSCRIBE failed, take its share of them): a clean connect under its id ends it.
            LeanMqtt.connect("127.0.0.1", broker.port(), SECOND_CLIENT_ID, 1).close();
        }
    }

    /** The one-replica e2e run's CPU per heartbeat, for comparison. */
    private String oneReplicaMicros() {
        if (e2eUsage.isEmpty()) {
            return "run with e2e for one replica's";
        }
        double[] one = medians(e2eUsage);
        return String.format(Locale.ROOT, "one replica: %.0f / %.0f / %.0f / %.0f, all %.0f µs, %.2f cores in use",
                one[0], one[1], one[2], one[3], one[0] + one[1] + one[2] + one[3], one[4]);
    }

    /** The median of each column. */
    private static double[] medians(List<double[]> rows) {
        return IntStream.range(0, rows.get(0).length)
                .mapToDouble(i -> median(rows.stream().map(row -> row[i]).toList())).toArray();
    }

    private double acceptedBy(List<ServerProcess> replicas, String kind) throws Exception {
        double sum = 0;
        for (ServerProcess replica : replicas) {
            sum += counters(replica).getOrDefault("accepted:" + kind, 0.0);
        }
        return sum;
    }

    /**
     * Polls the accepted counters (they count after the commit) until their sum over the replicas reached the
     * target; returns when.
     */
    private long awaitAcceptedBy(List<ServerProcess> replicas, String kind, double target, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long at = System.nanoTime();
            double now = acceptedBy(replicas, kind);
            if (now >= target) {
                return at;
            }
            check(System.nanoTime() < deadline, "%s accepted: %,.0f of %,.0f (lost?)", kind, now, target);
            Thread.sleep(200);
        }
    }

    // The poisoned metrics: PostgreSQL's jsonb refuses U+0000; the parser refuses it first.
    private static final String NUL_METRICS = "{\"metadata\": {\"n\": \"a\\u0000b\"}, \"timestamp\": %d}";
    // Metrics the parser takes and a trigger (installed for the phase) refuses: what the halving of batches is for.
    private static final String REFUSED_METRICS = "{\"metadata\": {\"poison\": true}, \"timestamp\": %d}";

    /**
     * The end-to-end run with a share of the heartbeats ({@code --poison}, 0.5 %) replaced by poisoned messages,
     * spread evenly; its rate (every message handled: heartbeats committed, poison counted as rejected) beside the
     * clean one.
     */
    private void poisoned(boolean pastTheParser) throws Exception {
        double share = Double.parseDouble(opts.getOrDefault("poison", "0.005"));
        int every = (int) Math.round(1 / share);
        String phase = pastTheParser ? "poisoned-db" : "poisoned";
        if (e2eRate == 0) {
            log("%s: run it with e2e for the clean rate to compare with; warming up", phase);
            double warm = accepted("heartbeat");
            long warmBase = nextRoundBase();
            publishAll(instanceCount, k -> heartbeatFor(k, warmBase));
            awaitAccepted("heartbeat", warm + instanceCount, Duration.ofSeconds(180));
        }
        if (pastTheParser) {
            try (Connection c = db()) {
                c.createStatement().execute("""
                        CREATE FUNCTION bench_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN
                            IF NEW.metadata ? 'poison' THEN RAISE EXCEPTION 'poisoned by the benchmark'; END IF;
                            RETURN NEW;
                        END $$""");
                c.createStatement().execute("CREATE TRIGGER bench_refuse_poison BEFORE INSERT ON metrics_sample "
                        + "FOR EACH ROW EXECUTE FUNCTION bench_refuse_poison()");
            }
        }
        String poison = pastTheParser ? REFUSED_METRICS : NUL_METRICS;
        String reason = pastTheParser ? "database_error" : "invalid_payload";
        int poisoned = messages / every;
        List<Double> rates = new ArrayList<>();
        List<String> loads = new ArrayList<>();
        try {
            for (int r = 0; r < runs; r++) {
                Map<String, Double> before = counters();
                long base = nextRoundBase();
                Usage usage = new Usage();
                long start = System.nanoTime();
                publishAll(messages, k -> k % every == every - 1
                        ? new Message(Payloads.topic(ids.get(k % instanceCount), "metrics"),
                                String.format(Locale.ROOT, poison, base + k / instanceCount * 1000L)
                                        .getBytes(StandardCharsets.UTF_8))
                        : heartbeatFor(k, base));
                long done = awaitCounts(before, messages - poisoned, poisoned, reason, Duration.ofSeconds(600));
                Usage.Delta u = usage.delta();
                double seconds = (done - start) / 1e9;
                Map<String, Double> after = counters();
                check(after.get("accepted:heartbeat") - before.get("accepted:heartbeat") == messages - poisoned
                        && after.get("rejected") - before.get("rejected") == poisoned,
                        "%s: accepted %,.0f heartbeats of %,d, rejected %,.0f of %,d", phase,
                        after.get("accepted:heartbeat") - before.get("accepted:heartbeat"), messages - poisoned,
                        after.get("rejected") - before.get("rejected"), poisoned);
                rates.add(messages / seconds);
                loads.add(u.describe(seconds));
                log("%s: %,d messages (%,d poisoned, rejected as %s) handled in %.2f s = %,.0f/s; %s", phase,
                        messages, poisoned, reason, seconds, messages / seconds, u.describe(seconds));
            }
        } finally {
            if (pastTheParser) {
                try (Connection c = db()) {
                    c.createStatement().execute("DROP TRIGGER bench_refuse_poison ON metrics_sample");
                    c.createStatement().execute("DROP FUNCTION bench_refuse_poison()");
                }
            }
        }
        double rate = median(rates);
        result(String.format(Locale.ROOT, "End to end, %.1f%% poisoned (%s), messages/s", share * 100,
                pastTheParser ? "metrics only the database refuses: batches halved" : "metrics with U+0000"),
                fmt(rate), runsOf(rates) + "; " + String.join("; ", loads));
        result(String.format(Locale.ROOT, "End to end, %.1f%% poisoned (%s) ÷ clean end to end", share * 100,
                pastTheParser ? "database" : "parser"), String.format(Locale.ROOT, "%.2f", rate / e2eRate),
                pastTheParser ? "" : "target ≥ 0.80");
    }

    /** Polls until the heartbeats are accepted and the poison rejected; returns when. */
    private long awaitCounts(Map<String, Double> before, long heartbeats, long rejected, String reason,
            Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long at = System.nanoTime();
            Map<String, Double> c = counters();
            if (c.get("accepted:heartbeat") - before.get("accepted:heartbeat") >= heartbeats
                    && c.getOrDefault("rejected:" + reason, 0.0) - before.getOrDefault("rejected:" + reason, 0.0)
                    >= rejected) {
                return at;
            }
            check(System.nanoTime() < deadline, "not all handled: %s", c);
            Thread.sleep(200);
        }
    }

    /** A fleet's mix: ten heartbeats to one metrics report, a status change now and then; metrics rows counted. */
    private void mixed() throws Exception {
        int total = messages;
        long base = nextRoundBase();
        double hb = accepted("heartbeat");
        double mt = accepted("metrics");
        double st = accepted("status");
        double rejectedBefore = rejected();
        long samplesBefore = count("SELECT count(*) FROM metrics_sample");
        int[] kinds = new int[3];
        IntFunction<Message> mix = k -> {
            int i = k % instanceCount;
            int r = k / instanceCount;
            String id = ids.get(i);
            long ts = base + r * 1000L;
            int slot = k % 100;
            if (slot < 9) {
                return new Message(Payloads.topic(id, "metrics"), Payloads.metrics(86_400 + r, "2024.1.0", 0.95,
                        "2024.01.0", "11.4", 40 + i % 50, 300 + i % 400, "2024-01-02T03:04:05Z", i % 4, ts));
            } else if (slot == 9) {
                return new Message(Payloads.topic(id, "status"), Payloads.status(r % 2 == 0 ? "online" : "error",
                        "2024.1.0", ts));
            }
            return new Message(Payloads.topic(id, "heartbeat"), Payloads.heartbeat("online", 86_400 + r, ts));
        };
        for (int k = 0; k < total; k++) {
            int slot = k % 100;
            kinds[slot < 9 ? 1 : slot == 9 ? 2 : 0]++;
        }
        Usage usage = new Usage();
        long start = System.nanoTime();
        publishAll(total, mix);
        long committed = awaitAcceptedAll(hb + kinds[0], mt + kinds[1], st + kinds[2], Duration.ofSeconds(180));
        Usage.Delta u = usage.delta();
        double seconds = (committed - start) / 1e9;
        long samples = count("SELECT count(*) FROM metrics_sample") - samplesBefore;
        check(samples == kinds[1], "metrics rows: %d of %d", samples, kinds[1]);
        check(rejected() == rejectedBefore, "%,.0f messages rejected", rejected() - rejectedBefore);
        log("mixed: %,d messages (%,d heartbeats, %,d metrics, %,d status) committed in %.2f s = %,.0f/s; %s; "
                + "every metrics row present", total, kinds[0], kinds[1], kinds[2], seconds, total / seconds,
                u.describe(seconds));
        result("End to end, fleet mix (90% heartbeats, 9% metrics, 1% status), messages/s", fmt(total / seconds),
                "1 run; " + kinds[1] + " metrics rows counted; " + u.describe(seconds));
    }

    // -------------------------------------------------------------------------------------------------- latency

    private void latency() throws Exception {
        int total = Math.min(instanceCount, rate * latencySeconds);
        double before = accepted("heartbeat");
        long phaseStart = System.currentTimeMillis();
        Usage usage = new Usage();
        // One heartbeat per instance, stamped when it is written to the socket: one row version each, whose commit
        // timestamp PostgreSQL keeps.
        paced(total, rate, k -> new Message(Payloads.topic(ids.get(k), "heartbeat"),
                Payloads.heartbeat("online", 90_000, System.currentTimeMillis())));
        awaitAccepted("heartbeat", before + total, Duration.ofSeconds(120));
        Usage.Delta u = usage.delta();
        double seconds = total / (double) rate;
        try (Connection c = db(); ResultSet rs = c.createStatement().executeQuery("""
                SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY ms),
                       percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), max(ms)
                  FROM (SELECT extract(epoch FROM pg_xact_commit_timestamp(xmin) - last_report_at) * 1000 AS ms
                          FROM instance WHERE last_report_at BETWEEN to_timestamp(%d / 1000.0) AND now()) l"""
                .formatted(phaseStart))) {
            rs.next();
            if (rs.getLong(1) != total) {
                log("latency rows: %s", query("SELECT min(last_report_at), max(last_report_at), min(last_seen_at), "
                        + "max(last_seen_at), count(*) FROM instance WHERE last_report_at >= to_timestamp(" + phaseStart
                        + " / 1000.0)"));
            }
            check(rs.getLong(1) == total, "latency sample: %d rows of %d", rs.getLong(1), total);
            log("latency at %,d/s: p50 %.0f ms, p99 %.0f ms, max %.0f ms over %,d heartbeats; %s", rate,
                    rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), total, u.describe(seconds));
            result("Heartbeat → commit latency at " + fmt(rate) + "/s, p50 / p99 (ms)",
                    String.format(Locale.ROOT, "%.0f / %.0f", rs.getDouble(2), rs.getDouble(3)),
                    String.format(Locale.ROOT, "%,d heartbeats, max %.0f ms", total, rs.getDouble(4)));
            result("Server CPU at " + fmt(rate) + "/s (cores of 2)",
                    String.format(Locale.ROOT, "%.2f", u.serverCpu / seconds), u.describe(seconds));
        }
    }

    // -------------------------------------------------------------------------------------------------- cadence

    /**
     * A fleet at the add-on guide's cadence: {@code --cadence-homes} (10,000) instances, each a heartbeat every 30 s
     * and metrics every 5 minutes (about 367 messages/s for 10,000), for {@code --cadence-seconds} (180) after
     * {@code --cadence-warm-up} (150) seconds, by which the JIT has compiled the ingest path at this rate; prints the
     * server's and PostgreSQL's CPU, per message too, and the server's RSS over the run.
     */
    private void cadence() throws Exception {
        int homes = Math.min(instanceCount, Integer.parseInt(opts.getOrDefault("cadence-homes", "10000")));
        int seconds = Integer.parseInt(opts.getOrDefault("cadence-seconds", "180"));
        int warmUp = Integer.parseInt(opts.getOrDefault("cadence-warm-up", "150"));
        int perSecond = (int) Math.round(homes / 30.0 + homes / 300.0);
        int total = perSecond * (warmUp + seconds);
        // Ten heartbeats to one metrics report, each kind round-robin over the homes: every home beats every 30 s
        // and reports metrics every 300 s.
        IntFunction<Message> fleet = k -> {
            long now = System.currentTimeMillis();
            if (k % 11 == 10) {
                int i = (k / 11) % homes;
                return new Message(Payloads.topic(ids.get(i), "metrics"), Payloads.metrics(86_400 + k, "2024.1.0",
                        0.95, "2024.01.0", "11.4", 40 + i % 50, 300 + i % 400, "2024-01-02T03:04:05Z", i % 4, now));
            }
            int i = (k - k / 11) % homes;
            return new Message(Payloads.topic(ids.get(i), "heartbeat"), Payloads.heartbeat("online", 86_400 + k, now));
        };
        List<Throwable> failure = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread load = new Thread(() -> {
            try {
                paced(total, perSecond, fleet);
            } catch (Throwable e) {
                failure.add(e);
            }
        }, "cadence");
        log("cadence: %,d homes, %,d messages/s, %d s of warm-up, then %d s measured", homes, perSecond, warmUp,
                seconds);
        load.start();
        Thread.sleep(warmUp * 1000L);
        Map<String, Double> before = counters();
        Usage usage = new Usage();
        long start = System.nanoTime();
        List<Double> rss = new ArrayList<>();
        rss.add(ProcStats.memoryMiB(serverPid, "VmRSS"));
        while (load.isAlive()) {
            load.join(10_000);
            rss.add(ProcStats.memoryMiB(serverPid, "VmRSS"));
        }
        Usage.Delta u = usage.delta();
        double elapsed = (System.nanoTime() - start) / 1e9;
        check(failure.isEmpty(), "cadence publishers failed: %s", failure);
        Map<String, Double> after = counters();
        double handled = after.get("accepted:heartbeat") - before.get("accepted:heartbeat")
                + after.getOrDefault("accepted:metrics", 0.0) - before.getOrDefault("accepted:metrics", 0.0);
        check(after.get("rejected").equals(before.get("rejected")), "cadence: %,.0f messages rejected",
                after.get("rejected") - before.get("rejected"));
        double serverMicros = u.serverCpu / handled * 1e6;
        double dbMicros = u.dbCpu / handled * 1e6;
        log("cadence: %,.0f messages committed in %.1f s (%,.0f/s); server %.3f cores, %.0f µs a message; PostgreSQL "
                + "%.3f cores, %.0f µs a message; %s; server RSS %s MiB", handled, elapsed, handled / elapsed,
                u.serverCpu / elapsed, serverMicros, u.dbCpu / elapsed, dbMicros, u.describe(elapsed),
                rss.stream().map(Benchmark::fmt).collect(Collectors.joining(", ")));
        String fleetText = String.format(Locale.ROOT, "%,d homes (heartbeat 30 s, metrics 5 min), %,.0f messages/s",
                homes, handled / elapsed);
        result("Fleet cadence, " + fleetText + ": server CPU (cores of 2)",
                String.format(Locale.ROOT, "%.3f", u.serverCpu / elapsed),
                String.format(Locale.ROOT, "target ≤ 0.05; %.0f s measured after %d s; %s", elapsed, warmUp,
                        u.describe(elapsed)));
        result("Fleet cadence: server / PostgreSQL CPU per message (µs)",
                String.format(Locale.ROOT, "%.0f / %.0f", serverMicros, dbMicros), "");
        result("Fleet cadence: server RSS at the start / end of the measured run (MiB)",
                fmt(rss.get(0)) + " / " + fmt(rss.get(rss.size() - 1)), "every 10 s: "
                        + rss.stream().map(Benchmark::fmt).collect(Collectors.joining(", ")));
    }

    // ------------------------------------------------------------------------------------------ listing and sweep

    private void listing() throws Exception {
        long total = count("SELECT count(*) FROM instance");
        Random random = new Random(1);
        for (int i = 0; i < 100; i++) {
            get("/instances?size=100&page=" + random.nextInt(10));
        }
        List<Double> first = new ArrayList<>();
        List<Double> any = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            first.add(get("/instances?size=100&page=0"));
            if (i % 3 == 0) {
                any.add(get("/instances?size=100&page=" + random.nextInt((int) (total / 100))));
            }
        }
        log("GET /instances (%,d instances, 100 a page): first page p50 %.1f ms p99 %.1f ms; random page p50 %.1f "
                + "ms p99 %.1f ms", total, pct(first, 50), pct(first, 99), pct(any, 50), pct(any, 99));
        result("GET /instances?size=100, first page, p50 / p99 (ms)", String.format(Locale.ROOT, "%.1f / %.1f",
                pct(first, 50), pct(first, 99)), fmt(total) + " instances, 1,000 requests, one at a time");
        result("GET /instances?size=100, random page, p50 / p99 (ms)", String.format(Locale.ROOT, "%.1f / %.1f",
                pct(any, 50), pct(any, 99)), "pages 0-" + (total / 100 - 1) + ", 334 requests");

        walkByCursor(100); // to warm up
        CursorWalk walk = walkByCursor(Integer.MAX_VALUE);
        List<Double> deep = walk.times();
        check(walk.seen() == total && deep.size() == (total - 1) / 100,
                "the cursor walk saw %d of %d instances in %d requests after the first page", walk.seen(), total,
                deep.size());
        log("GET /instances by cursor, every page of 100 after the first: p50 %.1f ms p99 %.1f ms", pct(deep, 50),
                pct(deep, 99));
        result("GET /instances?size=100&cursor=..., every page, p50 / p99 (ms)", String.format(Locale.ROOT,
                "%.1f / %.1f", pct(deep, 50), pct(deep, 99)), "pages 1-" + (total / 100 - 1) + " by cursor, "
                        + fmt(deep.size()) + " requests, one at a time");
        consolePages(total);
    }

    /**
     * The console's fleet page (counts, then 50 rows) as a signed-in browser asks for it: the session cookie of a
     * user made for the benchmark, with and without filters, and a page reached by cursor.
     */
    private void consolePages(long total) throws Exception {
        String cookie = consoleSession();
        Answer firstPage = fetchPage("/console/", cookie);
        Matcher next = Pattern.compile("href=\"/console/\\?cursor=([A-Za-z0-9_-]+)\"").matcher(firstPage.body());
        check(next.find(), "the fleet page has no next page at %d instances", total);
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("no filter", "/console/");
        pages.put("status=online", "/console/?status=online");
        pages.put("status=never-seen", "/console/?status=never-seen");
        pages.put("tag=bench (every instance)", "/console/?tag=bench");
        pages.put("q=bench 4711 (name search)", "/console/?q=bench+4711");
        pages.put("second page by cursor", "/console/?cursor=" + next.group(1));
        for (int i = 0; i < 100; i++) { // warm-up
            for (String path : pages.values()) {
                fetchPage(path, cookie);
            }
        }
        for (Map.Entry<String, String> page : pages.entrySet()) {
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                times.add(fetchPage(page.getValue(), cookie).ms());
            }
            log("console fleet page, %s: p50 %.1f ms p99 %.1f ms", page.getKey(), pct(times, 50), pct(times, 99));
            result("Console fleet page (" + page.getKey() + "), p50 / p99 (ms)", String.format(Locale.ROOT,
                    "%.1f / %.1f", pct(times, 50), pct(times, 99)), fmt(total) + " instances, counts and 50 rows,"
                            + " 300 requests, one at a time; target p99 < 50 ms");
        }
    }

    /** A console user made through the API with the admin token, signed in: its session cookie. */
    private String consoleSession() throws Exception {
        String user = "bench-" + System.currentTimeMillis();
        String password = "bench console password " + UUID.randomUUID();
        HttpResponse<String> made = http.send(HttpRequest.newBuilder(URI.create(server.apiUrl() + "/users"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\": \"%s\", \"role\": \"viewer\", "
                        .formatted(user) + "\"password\": \"%s\"}".formatted(password))).build(),
                HttpResponse.BodyHandlers.ofString());
        check(made.statusCode() == 201, "POST /users answered %d", made.statusCode());
        HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(URI.create(server.apiUrl() + "/auth/sign-in"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\": \"%s\", \"password\": \"%s\"}"
                        .formatted(user, password))).build(), HttpResponse.BodyHandlers.ofString());
        check(signedIn.statusCode() == 200, "POST /auth/sign-in answered %d", signedIn.statusCode());
        return signedIn.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("omnii_session="))
                .map(c -> c.substring(0, c.indexOf(';'))).findFirst()
                .orElseThrow(() -> new IllegalStateException("no session cookie"));
    }

    private Answer fetchPage(String path, String cookie) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.apiUrl() + path)).header("Cookie", cookie)
                .header("Accept", "text/html").build();
        long start = System.nanoTime();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        double ms = (System.nanoTime() - start) / 1e6;
        check(response.statusCode() == 200, "GET %s answered %d", path, response.statusCode());
        return new Answer(ms, new String(response.body(), StandardCharsets.UTF_8));
    }

    private static final Pattern NEXT = Pattern.compile("\"next\":\"([A-Za-z0-9_-]+)\"");
    private static final Pattern ITEM = Pattern.compile("\"mqttClientId\":");

    /** The times of the requests by cursor (the first page, asked for without one, is not timed). */
    private record CursorWalk(List<Double> times, long seen) {
    }

    /** Follows {@code next} from the first page for up to {@code pages} more. */
    private CursorWalk walkByCursor(int pages) throws Exception {
        List<Double> times = new ArrayList<>();
        long seen = 0;
        Answer page = fetch("/instances?size=100");
        while (true) {
            seen += ITEM.matcher(page.body()).results().count();
            Matcher next = NEXT.matcher(page.body());
            if (!next.find() || times.size() == pages) {
                return new CursorWalk(times, seen);
            }
            page = fetch("/instances?size=100&cursor=" + next.group(1));
            times.add(page.ms());
        }
    }

    private record Answer(double ms, String body) {
    }

    private double get(String path) throws Exception {
        return fetch(path).ms();
    }

    private Answer fetch(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.apiUrl() + path))
                .header("Authorization", "Bearer " + TOKEN).build();
        long start = System.nanoTime();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        double ms = (System.nanoTime() - start) / 1e6;
        check(response.statusCode() == 200, "GET %s answered %d", path, response.statusCode());
        return new Answer(ms, new String(response.body(), StandardCharsets.UTF_8)); // decoded outside the time
    }

    private void presenceSweep() throws Exception {
        List<Double> few = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            few.add(sweep(instanceCount / 100));
            all.add(sweep(instanceCount));
        }
        result("Presence sweep over " + fmt(instanceCount) + " instances, 1% gone quiet (ms)", fmt(median(few)),
                runsOf(few));
        result("Presence sweep over " + fmt(instanceCount) + " instances, all gone quiet at once (ms)",
                fmt(median(all)), runsOf(all) + "; one transaction: " + fmt(instanceCount) + " rows and events");
    }

    /**
     * Makes {@code stale} instances look silent for an hour (the rest just heard from), waits for the server's own
     * sweep to turn them offline, and returns how long that sweep took: from its start (the events' time) to its
     * commit (PostgreSQL's commit timestamp).
     */
    private double sweep(int stale) throws Exception {
        long marker = System.currentTimeMillis();
        try (Connection c = db()) {
            c.createStatement().executeUpdate("UPDATE instance SET status = 'online', last_seen_at = now()");
            c.createStatement().execute(RECOUNT);
            c.createStatement().executeUpdate("""
                    UPDATE instance SET last_seen_at = now() - interval '1 hour'
                     WHERE id IN (SELECT id FROM instance ORDER BY id LIMIT %d)""".formatted(stale));
        }
        long deadline = System.currentTimeMillis() + 60_000; // the server sweeps every 10 s
        String since = "to_timestamp(" + marker + " / 1000.0)";
        while (count("SELECT count(*) FROM instance_event WHERE reason = 'heartbeat_timeout' AND at >= " + since)
                < stale) {
            check(System.currentTimeMillis() < deadline, "the sweep did not turn %d instances offline", stale);
            Thread.sleep(200);
        }
        try (Connection c = db(); ResultSet rs = c.createStatement().executeQuery("""
                SELECT count(*), extract(epoch FROM max(pg_xact_commit_timestamp(xmin)) - min(at)) * 1000,
                       count(DISTINCT xmin::text)
                  FROM instance_event WHERE reason = 'heartbeat_timeout' AND at >= %s""".formatted(since))) {
            rs.next();
            log("presence sweep: %,d of %,d instances offline in %.0f ms (%d transaction(s))", rs.getLong(1),
                    instanceCount, rs.getDouble(2), rs.getLong(3));
            return rs.getDouble(2);
        }
    }

    // ----------------------------------------------------------------------------------------------- publishing

    private record Message(String topic, byte[] payload) {
    }

    private long nextRoundBase() {
        return T0 + (round += 1_000) * 1_000L;
    }

    /** Heartbeat number k: instance k mod N, its round k / N, so each instance's beats are newer one by one. */
    private Message heartbeatFor(int k, long base) {
        int r = k / instanceCount;
        return new Message(Payloads.topic(ids.get(k % instanceCount), "heartbeat"),
                Payloads.heartbeat("online", r, base + r * 1000L));
    }

    /**
     * Publishes messages 0..total-1 over the publisher connections as fast as the broker acknowledges them. An
     * instance always goes through the same connection, so its messages keep their order.
     */
    private void publishAll(int total, IntFunction<Message> message) throws Exception {
        runPublishers(total, (client, index) -> {
            long sent = 0;
            for (int k = index; k < total; k += publishers) {
                Message m = message.apply(k);
                client.publish(m.topic(), m.payload());
                sent++;
            }
            client.awaitAcked(sent, 120_000);
        }, instanceCount % publishers == 0);
    }

    /** Publishes at a fixed rate, a tick every 5 ms, each connection its share. */
    private void paced(int total, int perSecond, IntFunction<Message> message) throws Exception {
        runPublishers(total, (client, index) -> {
            long start = System.nanoTime();
            long sent = 0;
            int k = index;
            while (k < total) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * perSecond / publishers) + 1;
                while (sent < due && k < total) {
                    Message m = message.apply(k);
                    client.publish(m.topic(), m.payload());
                    sent++;
                    k += publishers;
                }
                client.flush();
                Thread.sleep(5);
            }
            client.awaitAcked(sent, 120_000);
        }, true);
    }

    private interface PublisherTask {
        void run(LeanMqtt client, int index) throws Exception;
    }

    private void runPublishers(int total, PublisherTask task, boolean ordered) throws Exception {
        if (!ordered) {
            notes.add("instances do not divide evenly among publishers: an instance's beats may cross connections");
        }
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int p = 0; p < publishers; p++) {
            int index = p;
            LeanMqtt client = LeanMqtt.connect("127.0.0.1", broker.port(), "bench-pub-" + p + "-" + round, 1_000);
            Thread t = new Thread(() -> {
                try (client) {
                    task.run(client, index);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "publisher-" + p);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a publisher failed", failures.get(0));
        }
    }

    // ------------------------------------------------------------------------------------ the server's counters

    private static final Pattern SAMPLE = Pattern.compile("^(omnii_mqtt_messages_(accepted|rejected)_total)\\{([^}]*)} (\\S+)$",
            Pattern.MULTILINE);

    private Map<String, Double> counters() throws Exception {
        return counters(server);
    }

    /** The counters of one server process (a replica: each counts what it accepted). */
    private Map<String, Double> counters(ServerProcess replica) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(replica.managementUrl() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> values = new LinkedHashMap<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            values.merge(m.group(2) + (m.group(2).equals("accepted") ? ":" + label(m.group(3), "kind") : ""),
                    Double.parseDouble(m.group(4)), Double::sum);
            if (m.group(2).equals("rejected")) {
                values.merge("rejected:" + label(m.group(3), "reason"), Double.parseDouble(m.group(4)), Double::sum);
            }
        }
        return values;
    }

    private static String label(String labels, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(labels);
        return m.find() ? m.group(1) : "";
    }

    private double accepted(String kind) throws Exception {
        return counters().getOrDefault("accepted:" + kind, 0.0);
    }

    private double rejected() throws Exception {
        return counters().getOrDefault("rejected", 0.0);
    }

    private long awaitAccepted(String kind, double target, Duration timeout) throws Exception {
        return awaitAcceptedBy(List.of(server), kind, target, timeout);
    }

    private long awaitAcceptedAll(double heartbeats, double metrics, double statuses, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long at = System.nanoTime();
            Map<String, Double> c = counters();
            if (c.getOrDefault("accepted:heartbeat", 0.0) >= heartbeats && c.getOrDefault("accepted:metrics", 0.0)
                    >= metrics && c.getOrDefault("accepted:status", 0.0) >= statuses) {
                return at;
            }
            check(System.nanoTime() < deadline, "not all accepted: %s", c);
            Thread.sleep(200);
        }
    }

    // ---------------------------------------------------------------------------------------------- CPU usage

    /** CPU seconds of the server, the broker, PostgreSQL and this load generator over a phase. */
    private final class Usage {
        final double server = ProcStats.cpuSeconds(List.of(serverPid));
        final double broker = ProcStats.cpuSeconds(brokerPids());
        final double db = ProcStats.cpuSeconds(postgresPids());
        final double self = ProcStats.cpuSeconds(List.of(ProcessHandle.current().pid()));

        record Delta(double serverCpu, double brokerCpu, double dbCpu, double loadCpu) {
            String describe(double seconds) {
                return String.format(Locale.ROOT, "CPU cores: server %.2f, broker %.2f, PostgreSQL %.2f, load %.2f",
                        serverCpu / seconds, brokerCpu / seconds, dbCpu / seconds, loadCpu / seconds);
            }
        }

        Delta delta() {
            return new Delta(ProcStats.cpuSeconds(List.of(serverPid)) - server,
                    ProcStats.cpuSeconds(brokerPids()) - broker, ProcStats.cpuSeconds(postgresPids()) - db,
                    ProcStats.cpuSeconds(List.of(ProcessHandle.current().pid())) - self);
        }
    }

    private List<Long> brokerPids() {
        return ProcStats.withCommandLine(DIR.resolve("mosquitto").resolve("mosquitto.conf").toString());
    }

    private List<Long> postgresPids() {
        String pid = ProcStats.firstLine(DIR.resolve("postgres").resolve("postmaster.pid"));
        return pid.isEmpty() ? List.of() : ProcStats.tree(Long.parseLong(pid));
    }

    // ------------------------------------------------------------------------------------------------ Matter relay

    /**
     * The Matter relay's overhead: the server restarted pointed at the test peer, ping_node asked directly and
     * through POST /matter/nodes/{id}/ping (MatterRelayBench), then the server as it was.
     */
    private void matterRelay() throws Exception {
        server.stop();
        try (MatterServerPeer peer = new MatterServerPeer()) {
            peer.start();
            BigInteger node = peer.addVirtualLight();
            server = new ServerProcess(postgres, broker.port(), TOKEN, Ports.free(), Ports.free(), false)
                    .jvmOptions(jvmOptions).env("OMNII_MATTER_URL", peer.url());
            serverPid = server.start(DIR.resolve("server.log")).pid();
            server.awaitReady(Duration.ofSeconds(90));
            int rounds = Integer.parseInt(opts.getOrDefault("matter-calls", "5000"));
            int warmUp = Integer.parseInt(opts.getOrDefault("matter-warm-up", "2000"));
            List<Double> direct = new ArrayList<>();
            List<Double> relayed = new ArrayList<>();
            List<Double> view = new ArrayList<>();
            try (MatterRelayBench bench = new MatterRelayBench(peer, node, server.apiUrl(), TOKEN)) {
                bench.awaitRelay(Duration.ofSeconds(30));
                for (int r = 0; r < runs; r++) {
                    MatterRelayBench.Times t = bench.measure(r == 0 ? warmUp : 200, rounds);
                    direct.add(pct(t.direct(), 50));
                    relayed.add(pct(t.relayed(), 50));
                    view.add(pct(t.serverView(), 50));
                    log("Matter ping_node: direct p50 %.3f p99 %.3f ms; relayed p50 %.3f p99 %.3f ms; "
                            + "GET /matter/server p50 %.3f ms", pct(t.direct(), 50), pct(t.direct(), 99),
                            pct(t.relayed(), 50), pct(t.relayed(), 99), pct(t.serverView(), 50));
                }
            }
            List<Double> overhead = IntStream.range(0, runs).mapToObj(i -> relayed.get(i) - direct.get(i)).toList();
            String conditions = fmt(rounds) + " calls each, one at a time, interleaved; ";
            result("Matter ping_node straight to the peer over WebSocket, p50 (ms)",
                    String.format(Locale.ROOT, "%.3f", median(direct)), conditions + runsOf3(direct));
            result("Matter ping_node relayed (POST /matter/nodes/{id}/ping), p50 (ms)",
                    String.format(Locale.ROOT, "%.3f", median(relayed)), conditions + runsOf3(relayed));
            result("Matter relay overhead: relayed minus direct, p50 (ms)",
                    String.format(Locale.ROOT, "%.3f", median(overhead)), "target < 1 ms; " + runsOf3(overhead));
            result("GET /matter/server (relays nothing: the HTTP share), p50 (ms)",
                    String.format(Locale.ROOT, "%.3f", median(view)), runsOf3(view));
        } finally {
            server.stop();
            startServer(false);
        }
    }

    private static String runsOf3(List<Double> values) {
        return "runs: " + values.stream().map(v -> String.format(Locale.ROOT, "%.3f", v))
                .collect(Collectors.joining(", "));
    }

    // ------------------------------------------------------------------------------------------------- output

    private void printTable() throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("\n## Omnii Server ingest benchmark\n\n").append(host()).append("\n\n");
        out.append("| measure | value | runs / conditions |\n| --- | --- | --- |\n");
        for (String[] r : results) {
            out.append("| ").append(r[0]).append(" | ").append(r[1]).append(" | ").append(r[2]).append(" |\n");
        }
        if (rawRate > 0) { // only when the ingest phases ran
            out.append("\nTargets: end to end ≥ 15,000/s and ≥ 0.5 × raw → ")
                    .append(e2eRate >= 15_000 && e2eRate >= rawRate / 2 ? "met" : "NOT met")
                    .append(String.format(Locale.ROOT, " (%,.0f/s, %.2f × raw)%n", e2eRate, e2eRate / rawRate));
        }
        notes.stream().distinct().forEach(n -> out.append("\nNote: ").append(n).append('\n'));
        System.out.println(out);
        Files.writeString(DIR.resolve("results.md"), out.toString());
    }

    private String host() {
        String cpu = "unknown CPU";
        double memGiB = 0;
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.replaceFirst(".*:\\s*", "")).orElse(cpu);
            memGiB = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0).orElse(0.0);
        } catch (IOException ignored) {
            // leave them unknown
        }
        return String.format(Locale.ROOT, "Host: %d cores (%s), %.0f GiB, Linux %s, Java %s; PostgreSQL 17 "
                + "(fsync and synchronous_commit on), Mosquitto (the tests' settings); broker, database, server and "
                + "load generator on this one machine; %d publisher connections; load average at the end %s; "
                + "server JVM options: %s", Runtime.getRuntime().availableProcessors(), cpu, memGiB,
                System.getProperty("os.version"), System.getProperty("java.version"), publishers,
                ProcStats.firstLine(Path.of("/proc/loadavg")).split(" ")[0],
                String.join(" ", ServerProcess.DEFAULT_JVM_OPTIONS)
                        + (opts.containsKey("no-appcds") ? "" : " -XX:SharedArchiveFile=app-cds.jsa (trained by the "
                        + "first start)") + (jvmOptions.isEmpty() ? "" : " then " + String.join(" ", jvmOptions)));
    }

    private void result(String what, String value, String runs) {
        results.add(new String[] {what, value, runs});
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double pct(List<Double> values, int p) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String fmt2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String runsOf(List<Double> values) {
        return "runs: " + values.stream().map(Benchmark::fmt).collect(Collectors.joining(", "));
    }

    private static String runsOf2(List<Double> values) {
        return "runs: " + values.stream().map(Benchmark::fmt2).collect(Collectors.joining(", "));
    }

    private static void check(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalStateException("check failed: " + String.format(Locale.ROOT, format, args));
        }
    }

    private static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String query(String sql) throws SQLException {
        try (Connection c = db(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            StringBuilder b = new StringBuilder();
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    b.append(rs.getString(i)).append(i < rs.getMetaData().getColumnCount() ? " | " : "\n");
                }
            }
            return b.toString();
        }
    }

    private Connection db() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, "");
    }

    private void stopAll() {
        try {
            if (server != null) {
                server.stop();
            }
        } catch (Exception e) {
            log("stopping the server: %s", e);
        }
        if (broker != null) {
            broker.close();
        }
        try {
            if (postgres != null) {
                postgres.close();
            }
        } catch (IOException e) {
            log("stopping PostgreSQL: %s", e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
