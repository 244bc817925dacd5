package io.omnii.server.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of a Kubernetes API the chart's {@code lookup} reads: the core group's resource list and Secrets by name,
 * in process. helm-java renders with the cluster reachable (unlike the {@code helm template} command), so every
 * rendering in the tests looks its Secrets up here: none, as on a first install, unless a test puts some in, as a
 * cluster has them on an upgrade or a reinstall. The kubeconfig that points here is $KUBECONFIG, which the build sets
 * for the test JVM (pom.xml), so no rendering in a test ever reaches a real cluster.
 */
final class KubeApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SECRET = Pattern.compile("/api/v1/namespaces/([^/]+)/secrets/([^/?]+)");
    /*
     * One cluster per test JVM, seen by every rendering in it: a test's Secrets are there for whatever renders until
     * it clears them. That is sound only because JUnit runs the tests one at a time here (the build enables no
     * parallel execution); with tests in parallel one would read another's Secrets. Keying them per test is not
     * simple: the lookups arrive over HTTP from Helm's Go code, with nothing that says which test rendered.
     */
    private static final Map<String, Map<String, String>> SECRETS = new ConcurrentHashMap<>();
    private static HttpServer server;

    private KubeApi() {
    }

    /** Starts the API once and writes the kubeconfig that points to it. */
    static synchronized void ensureRunning() {
        if (server != null) {
            return;
        }
        String kubeconfig = System.getenv("KUBECONFIG");
        if (kubeconfig == null || !kubeconfig.endsWith("chart-tests/kubeconfig")) {
            throw new IllegalStateException("KUBECONFIG must be the tests' own (target/chart-tests/kubeconfig, set in"
                    + " pom.xml): the chart's lookups would otherwise reach " + (kubeconfig == null
                            ? "~/.kube/config or localhost:8080" : kubeconfig));
        }
        // Small replies leave at once instead of waiting on Nagle's algorithm (read once, before the first server).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", KubeApi::handle);
            server.start();
            Path file = Path.of(kubeconfig);
            Files.createDirectories(file.getParent());
            Files.writeString(file, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                      - name: tests
                        cluster:
                          server: http://127.0.0.1:%d
                    users:
                      - name: tests
                        user: {}
                    contexts:
                      - name: tests
                        context:
                          cluster: tests
                          user: tests
                    current-context: tests
                    """.formatted(server.getAddress().getPort()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The cluster holds this Secret (base64 data, as the API returns it) until {@link #clear()}, which the test must
     * call in a finally: every later rendering, in any test class, sees it until then.
     */
    static void putSecret(String namespace, String name, Map<String, String> data) {
        SECRETS.put(namespace + "/" + name, Map.copyOf(data));
    }

    static void clear() {
        SECRETS.clear();
    }

    private static void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Matcher secret = SECRET.matcher(path);
        if (path.equals("/api/v1")) {
            reply(exchange, 200, Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", "v1",
                    "resources", List.of(Map.of("name", "secrets", "singularName", "secret", "namespaced", true,
                            "kind", "Secret", "verbs", List.of("get")))));
        } else if (secret.matches() && SECRETS.containsKey(secret.group(1) + "/" + secret.group(2))) {
            reply(exchange, 200, Map.of("apiVersion", "v1", "kind", "Secret", "type", "Opaque",
                    "metadata", Map.of("name", secret.group(2), "namespace", secret.group(1)),
                    "data", SECRETS.get(secret.group(1) + "/" + secret.group(2))));
        } else {
            reply(exchange, 404, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure",
                    "reason", "NotFound", "code", 404, "message", path + " not found"));
        }
    }

    private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
