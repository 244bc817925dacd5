package io.omnii.server.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.testsupport.LocalRun;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A simulated fleet of Home Assistant instances running the add-on guide's add-on (scripts/simulate.sh).
 *
 * <p>Enrolls the instances through the real API ({@code POST /enrollment-codes} with the admin token, then
 * {@code POST /enroll}), or reuses the ones it enrolled on this server before (target/simulator/). Then, as a demo
 * (the default): each instance connects, says it is online, reports metrics at once and every {@code --metrics}
 * seconds, beats every {@code --heartbeat} seconds, and answers commands as the guide's add-on does ({@code get_status}
 * publishes its status, {@code get_metrics} its metrics; {@code restart} goes offline and comes back with a fresh
 * uptime, {@code update} comes back with a newer version, {@code check_updates} reports metrics). Now and then an
 * instance reports an error and recovers, or falls silent for a few minutes, so the fleet shows every state.
 *
 * <p>With {@code --rate N} (messages a second, or {@code max}) it is a load generator instead: heartbeats with a
 * metrics report every tenth message, round robin over the instances, for {@code --duration} seconds.
 *
 * <p>Options: {@code --instances 50 --server URL --token T --broker host:port --heartbeat 30 --metrics 300
 * --rate N|max --duration 60 --connections 200}. Up to {@code --connections} instances each get their own MQTT
 * connection with their own client id, as real ones would; a larger fleet shares that many connections.
 *
 * <p>Without options it finds the server scripts/run.sh runs, honouring the same variables ({@link LocalRun}): the
 * server at {@code QUARKUS_HTTP_PORT}, else at the port of the last local run, else at 3001; the token from
 * {@code OMNII_ADMIN_TOKEN}, else the one the local run keeps; the broker at {@code OMNII_LOCAL_MQTT_PORT}, else where
 * the enroll answers say, else at the last local run's port. What the local run keeps is in {@code OMNII_LOCAL_DIR},
 * else target/local.
 */
public final class FleetSimulator {

    private static final String[] ROOMS = {"Living Room", "Cabin", "Beach House", "Office", "Workshop", "Garage",
        "Lake House", "Studio", "Farm", "Loft", "Townhouse", "Barn", "Villa", "Chalet", "Annex", "Shop"};
    private static final String[] VERSIONS = {"2024.1.0", "2024.1.3", "2023.12.4", "2024.2.1"};

    private final Map<String, String> opts;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String server;
    private final String token;
    private final Path localRun;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "simulator");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong commands = new AtomicLong();

    private FleetSimulator(Map<String, String> opts, Map<String, String> env, Path localRun) throws IOException {
        this.opts = opts;
        this.server = serverUrl(opts, env, localRun);
        this.token = token(opts, env, localRun).orElse(null);
        this.brokerOverride = brokerOverride(opts, env);
        this.localRun = localRun;
        this.localBrokerPort = opts.containsKey("server") ? Optional.empty()
                : LocalRun.recordedPort(localRun, "mqtt");
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        try {
            new FleetSimulator(opts, System.getenv(), LocalRun.dir(System.getenv())).run();
        } catch (Unreachable | IllegalArgumentException e) {
            // What went wrong and where, without a stack trace: these are the user's to fix.
            System.err.println("simulate: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The server: {@code --server}, else where scripts/run.sh puts it (its variable, then its last run), else 3001. */
    static String serverUrl(Map<String, String> opts, Map<String, String> env, Path localRun) throws IOException {
        if (opts.containsKey("server")) {
            return opts.get("server").replaceFirst("/$", "");
        }
        int port = env.containsKey(LocalRun.HTTP_PORT) ? LocalRun.port(env, LocalRun.HTTP_PORT, 3001)
                : LocalRun.recordedPort(localRun, "api").orElse(3001);
        return "http://localhost:" + port;
    }

    /** The admin token: {@code --token}, else OMNII_ADMIN_TOKEN, else the one scripts/run.sh keeps. */
    static Optional<String> token(Map<String, String> opts, Map<String, String> env, Path localRun) throws IOException {
        if (opts.containsKey("token")) {
            return Optional.of(opts.get("token"));
        }
        String given = env.get(LocalRun.ADMIN_TOKEN);
        return given != null && !given.isBlank() ? Optional.of(given) : LocalRun.savedToken(localRun);
    }

    /** host:port of the broker when chosen: {@code --broker}, else OMNII_LOCAL_MQTT_PORT on this machine. */
    static Optional<String> brokerOverride(Map<String, String> opts, Map<String, String> env) {
        if (opts.containsKey("broker")) {
            return Optional.of(opts.get("broker").replaceFirst("^mqtts?://", "").replaceFirst("/.*$", ""));
        }
        return env.containsKey(LocalRun.MQTT_PORT)
                ? Optional.of("127.0.0.1:" + LocalRun.port(env, LocalRun.MQTT_PORT, 1883)) : Optional.empty();
    }

    /** A server or broker that cannot be reached, named. */
    static final class Unreachable extends IOException {
        Unreachable(String what, String where, IOException cause) {
            super("cannot reach " + what + " at " + where + " (" + describe(cause) + ")", cause);
        }

        private static String describe(IOException e) {
            // A refused connection comes as a ConnectException without message.
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": "
                    + e.getMessage();
        }
    }

    /** Sends one request; a failure to connect names the URL it tried. */
    static HttpResponse<String> send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unreachable("the server", request.uri() + ". Is scripts/run.sh running? --server URL or "
                    + LocalRun.HTTP_PORT + " points elsewhere", e);
        }
    }

    /** Connects to the broker; a failure names the address it tried. */
    static LeanMqtt connectMqtt(String host, int port, String clientId) throws IOException {
        try {
            return LeanMqtt.connect(host, port, clientId, 1_000);
        } catch (IOException e) {
            throw new Unreachable("the MQTT broker", host + ":" + port + ". --broker host:port or "
                    + LocalRun.MQTT_PORT + " points elsewhere", e);
        }
    }

    /** One enrolled instance, as the enroll response describes it, and what it currently reports. */
    private final class Instance {
        final String id;
        final String clientId;
        final String name;
        LeanMqtt mqtt;
        volatile String status = "online";
        volatile String version = VERSIONS[ThreadLocalRandom.current().nextInt(VERSIONS.length)];
        volatile long bootedAt = System.currentTimeMillis() - ThreadLocalRandom.current().nextLong(86_400_000L * 20);
        volatile boolean silent;
        final int devices = 10 + ThreadLocalRandom.current().nextInt(120);
        final int entities = devices * (5 + ThreadLocalRandom.current().nextInt(6));
        volatile int pendingUpdates = ThreadLocalRandom.current().nextInt(4);

        Instance(String id, String clientId, String name) {
            this.id = id;
            this.clientId = clientId;
            this.name = name;
        }

        long uptime() {
            return (System.currentTimeMillis() - bootedAt) / 1000;
        }

        void send(String kind, byte[] payload) {
            try {
                mqtt.publish(Payloads.topic(id, kind), payload);
                mqtt.flush();
                published.incrementAndGet();
            } catch (IOException | InterruptedException e) {
                System.err.printf("%s: publish failed: %s%n", name, e.getMessage());
            }
        }

        void status() {
            send("status", Payloads.status(status, version, System.currentTimeMillis()));
        }

        void heartbeat() {
            if (!silent) {
                send("heartbeat", Payloads.heartbeat(status, uptime(), System.currentTimeMillis()));
            }
        }

        void metrics() {
            if (!silent) {
                double stability = status.equals("error") ? 0.4 + ThreadLocalRandom.current().nextDouble(0.3)
                        : 0.9 + ThreadLocalRandom.current().nextDouble(0.1);
                ThreadLocalRandom random = ThreadLocalRandom.current();
                Payloads.Load load = new Payloads.Load(3 + random.nextDouble(status.equals("error") ? 90 : 30),
                        35 + random.nextDouble(40), 20 + devices * 0.4 + random.nextDouble(5));
                send("metrics", Payloads.metrics(uptime(), version, stability, "2024.01.0", "11.4", devices, entities,
                        java.time.Instant.ofEpochMilli(bootedAt).toString(), pendingUpdates, load,
                        System.currentTimeMillis()));
            }
        }

        /** What the guide's add-on does with each command, and what a real Home Assistant then does. */
        void command(byte[] payload) {
            commands.incrementAndGet();
            String command;
            try {
                command = json.readTree(payload).path("command").asText();
            } catch (IOException e) {
                return;
            }
            System.out.printf("%s <- %s%n", name, command);
            switch (command) {
                case "get_status" -> status();
                case "get_metrics" -> metrics();
                case "check_updates" -> {
                    pendingUpdates = ThreadLocalRandom.current().nextInt(4);
                    metrics();
                }
                case "restart" -> restart(5 + ThreadLocalRandom.current().nextInt(10), version);
                case "update" -> restart(20 + ThreadLocalRandom.current().nextInt(20), nextVersion());
                default -> System.out.printf("%s: unknown command %s%n", name, command);
            }
        }

        private void restart(int seconds, String newVersion) {
            status = "offline";
            status();
            timers.schedule(() -> {
                version = newVersion;
                bootedAt = System.currentTimeMillis();
                status = "online";
                status();
                metrics();
            }, seconds, TimeUnit.SECONDS);
        }

        private String nextVersion() {
            String[] p = version.split("\\.");
            return p[0] + "." + (Integer.parseInt(p[1]) + 1) + ".0";
        }
    }

    private void run() throws Exception {
        int count = Integer.parseInt(opts.getOrDefault("instances", "50"));
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the admin token is needed: --token T or OMNII_ADMIN_TOKEN "
                    + "(scripts/run.sh prints it and keeps it in " + localRun + ")");
        }
        List<Instance> fleet = fleet(count);
        String broker = brokerAddress();
        String host = broker.replaceFirst(":\\d+$", "");
        int port = Integer.parseInt(broker.replaceFirst(".*:", ""));
        int connections = Math.min(count, Integer.parseInt(opts.getOrDefault("connections", "200")));
        List<LeanMqtt> links = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            boolean own = connections == count;
            LeanMqtt link = connectMqtt(host, port, own ? fleet.get(c).clientId : "simulator-" + c);
            links.add(link);
        }
        Map<String, Instance> byCommandTopic = new LinkedHashMap<>();
        for (int i = 0; i < fleet.size(); i++) {
            Instance instance = fleet.get(i);
            instance.mqtt = links.get(i % connections);
            byCommandTopic.put("server/" + instance.id + "/commands", instance);
        }
        for (LeanMqtt link : links) {
            // Commands are handled off the connection's reader thread, which must keep reading PUBACKs.
            link.onMessage((topic, payload) -> {
                Instance target = byCommandTopic.get(topic);
                if (target != null) {
                    timers.execute(() -> target.command(payload));
                }
            });
        }
        for (Instance instance : fleet) {
            instance.mqtt.subscribe("server/" + instance.id + "/commands");
        }
        System.out.printf("%d instances connected to mqtt://%s over %d connection(s)%n", count, broker, connections);
        if (opts.containsKey("rate")) {
            load(fleet);
        } else {
            demo(fleet);
        }
    }

    private void demo(List<Instance> fleet) throws InterruptedException {
        long heartbeat = Long.parseLong(opts.getOrDefault("heartbeat", "30"));
        long metrics = Long.parseLong(opts.getOrDefault("metrics", "300"));
        for (Instance instance : fleet) {
            // The add-on's start: status online, then its loops; spread over the first interval like a real fleet.
            long offset = ThreadLocalRandom.current().nextLong(heartbeat * 1000);
            timers.schedule(() -> {
                instance.status();
                instance.metrics();
            }, ThreadLocalRandom.current().nextLong(2_000), TimeUnit.MILLISECONDS);
            timers.scheduleAtFixedRate(instance::heartbeat, offset, heartbeat * 1000, TimeUnit.MILLISECONDS);
            timers.scheduleAtFixedRate(instance::metrics, metrics * 1000 + offset, metrics * 1000,
                    TimeUnit.MILLISECONDS);
        }
        // Life happens: every 20 s an instance or two report an error and recover, or fall silent for a while.
        timers.scheduleAtFixedRate(() -> mischief(fleet), 20, 20, TimeUnit.SECONDS);
        long duration = Long.parseLong(opts.getOrDefault("duration", "0"));
        long start = System.currentTimeMillis();
        System.out.println("Simulating; Ctrl-C stops. Try GET /instances, or send get_status to one of them.");
        while (duration == 0 || System.currentTimeMillis() - start < duration * 1000) {
            Thread.sleep(10_000);
            long online = fleet.stream().filter(i -> !i.silent && i.status.equals("online")).count();
            System.out.printf(Locale.ROOT, "[%s] %d online, %d in error, %d silent; %,d messages sent, %d commands "
                    + "answered%n", java.time.LocalTime.now().withNano(0), online,
                    fleet.stream().filter(i -> i.status.equals("error")).count(),
                    fleet.stream().filter(i -> i.silent).count(), published.get(), commands.get());
        }
        System.exit(0);
    }

    private void mischief(List<Instance> fleet) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Instance instance = fleet.get(random.nextInt(fleet.size()));
        if (instance.silent || !instance.status.equals("online")) {
            return;
        }
        if (random.nextBoolean()) {
            instance.status = "error";
            instance.status();
            System.out.printf("%s: error (recovers in a minute)%n", instance.name);
            timers.schedule(() -> {
                instance.status = "online";
                instance.status();
            }, 60, TimeUnit.SECONDS);
        } else {
            instance.silent = true;
            System.out.printf("%s: falls silent for three minutes (the server will mark it offline)%n", instance.name);
            timers.schedule(() -> {
                instance.silent = false;
                instance.status();
            }, 180, TimeUnit.SECONDS);
        }
    }

    /** Heartbeats, every tenth message a metrics report, round robin, at a rate or as fast as the broker takes. */
    private void load(List<Instance> fleet) throws Exception {
        String rateOption = opts.get("rate");
        long rate = rateOption.equals("max") ? Long.MAX_VALUE : Long.parseLong(rateOption);
        long duration = Long.parseLong(opts.getOrDefault("duration", "60"));
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(duration);
        long sent = 0;
        long lastReport = start;
        while (System.nanoTime() < end) {
            long due = rate == Long.MAX_VALUE ? sent + 1_000
                    : (long) ((System.nanoTime() - start) / 1e9 * rate) + 1;
            while (sent < due) {
                Instance instance = fleet.get((int) (sent % fleet.size()));
                long now = System.currentTimeMillis();
                if (sent % 10 == 9) {
                    instance.mqtt.publish(Payloads.topic(instance.id, "metrics"), Payloads.metrics(instance.uptime(),
                            instance.version, 0.95, "2024.01.0", "11.4", instance.devices, instance.entities,
                            "2024-01-01T00:00:00Z", instance.pendingUpdates, now + sent % 1_000));
                } else {
                    instance.mqtt.publish(Payloads.topic(instance.id, "heartbeat"),
                            Payloads.heartbeat("online", instance.uptime(), now));
                }
                sent++;
            }
            for (Instance i : fleet.subList(0, Math.min(fleet.size(), 200))) {
                i.mqtt.flush();
            }
            if (rate != Long.MAX_VALUE) {
                Thread.sleep(5);
            }
            if (System.nanoTime() - lastReport > 5e9) {
                lastReport = System.nanoTime();
                System.out.printf(Locale.ROOT, "%,d messages, %,.0f/s%n", sent, sent / ((lastReport - start) / 1e9));
            }
        }
        System.out.printf(Locale.ROOT, "Done: %,d messages in %d s, %,.0f/s (QoS 1, acknowledged by the broker)%n",
                sent, duration, sent / ((System.nanoTime() - start) / 1e9));
        System.exit(0);
    }

    // ----------------------------------------------------------------------------------------------- enrollment

    /** The fleet: instances enrolled before on this server (still there), then new ones up to the count. */
    private List<Instance> fleet(int count) throws Exception {
        Path file = Path.of("target", "simulator", "fleet-" + server.replaceAll("\\W+", "_") + ".tsv");
        List<Instance> fleet = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split("\t");
                if (fleet.size() < count && f.length == 4 && api("GET", "/instances/" + f[0], null).statusCode() == 200) {
                    fleet.add(new Instance(f[0], f[1], f[2]));
                    storedBrokerUrl = f[3];
                }
            }
            System.out.printf("Reusing %d instance(s) enrolled before%n", fleet.size());
        }
        int before = fleet.size();
        while (fleet.size() < count) {
            String name = "Home Assistant - " + ROOMS[fleet.size() % ROOMS.length] + " " + (fleet.size() + 1);
            HttpResponse<String> code = api("POST", "/enrollment-codes", "{\"expiresInHours\": 1}");
            check(code, 201);
            HttpResponse<String> enrolled = api("POST", "/enroll", json.writeValueAsString(Map.of(
                    "code", json.readTree(code.body()).path("code").asText(), "name", name)));
            check(enrolled, 200);
            JsonNode e = json.readTree(enrolled.body());
            fleet.add(new Instance(e.path("instanceId").asText(), e.path("mqttClientId").asText(), name));
            enrolledBrokerUrl = e.path("mqttBrokerUrl").asText();
        }
        if (fleet.size() > before) {
            System.out.printf("Enrolled %d new instance(s)%n", fleet.size() - before);
        }
        Files.createDirectories(file.getParent());
        List<String> lines = new ArrayList<>();
        String brokerUrl = enrolledBrokerUrl != null ? enrolledBrokerUrl : storedBrokerUrl;
        fleet.forEach(i -> lines.add(i.id + "\t" + i.clientId + "\t" + i.name + "\t" + brokerUrl));
        Files.write(file, lines);
        return fleet;
    }

    private final Optional<String> brokerOverride;
    private final Optional<Integer> localBrokerPort;
    /** The broker URL of this run's enroll answers: the server's word, so it wins over what was stored. */
    private String enrolledBrokerUrl;
    private String storedBrokerUrl;

    /**
     * host:port of the broker: as chosen ({@link #brokerOverride}), else what this run's enroll answers said, else
     * the last local run's port (a reused fleet's stored URL may name the port of an earlier run), else the stored.
     */
    private String brokerAddress() {
        if (brokerOverride.isPresent()) {
            return brokerOverride.get();
        }
        if (enrolledBrokerUrl == null && localBrokerPort.isPresent()) {
            return "127.0.0.1:" + localBrokerPort.get();
        }
        String url = enrolledBrokerUrl != null ? enrolledBrokerUrl : storedBrokerUrl;
        return url.replaceFirst("^mqtts?://", "").replaceFirst("/.*$", "");
    }

    private HttpResponse<String> api(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return send(http, b.build());
    }

    private static void check(HttpResponse<String> response, int expected) {
        if (response.statusCode() != expected) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
    }
}
