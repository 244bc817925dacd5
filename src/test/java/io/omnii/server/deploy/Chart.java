package io.omnii.server.deploy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** The Helm chart, rendered in-process, as a list of objects to look into. */
public final class Chart {

    public static final Path DIR = Path.of("charts", "omnii-server");
    // The version the manifests are validated against; helm template defaults to a much older one.
    public static final String KUBE_VERSION = "1.32.0";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Chart() {
    }

    /** Renders the chart as release "omnii" in namespace home-automation, with these extra options. */
    public static List<JsonNode> render(UnaryOperator<TemplateCommand> options) {
        return render(DIR, options);
    }

    /** Renders the chart in this directory (e.g. a changed copy) as {@link #render(UnaryOperator)} does. */
    public static List<JsonNode> render(Path chart, UnaryOperator<TemplateCommand> options) {
        KubeApi.ensureRunning();
        String manifests = options.apply(new Helm(chart).template().withName("omnii").withNamespace("home-automation")
                .withKubeVersion(KUBE_VERSION))
                .call();
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(manifests)) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext();) {
                JsonNode node = it.next();
                if (node != null && !node.isEmpty()) {
                    objects.add(node);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return objects;
    }

    /**
     * The objects {@code helm test} creates (templates/tests), rendered with these options. They are test hooks, which
     * the in-process rendering leaves out like every hook, so they are rendered from a copy of the chart whose test
     * templates lack the hook annotation: the objects that copy renders beyond the chart's own.
     */
    public static List<JsonNode> renderHelmTests(UnaryOperator<TemplateCommand> options) {
        Path copy = null;
        try {
            copy = Files.createTempDirectory("omnii-chart-helm-tests");
            copyTree(DIR, copy);
            try (Stream<Path> tests = Files.list(copy.resolve("templates/tests"))) {
                for (Path test : tests.toList()) {
                    Files.writeString(test, Files.readString(test)
                            .replaceAll("(?m)^[ \\t]*\"helm\\.sh/hook\": *test[ \\t]*\n", ""));
                }
            }
            Set<String> own = new HashSet<>();
            render(options).forEach(o -> own.add(identity(o)));
            return render(copy, options).stream().filter(o -> !own.contains(identity(o))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (copy != null) {
                deleteTree(copy);
            }
        }
    }

    private static String identity(JsonNode object) {
        return object.path("kind").asText() + "/" + object.at("/metadata/name").asText();
    }

    /** Copies a directory tree, e.g. the chart, to change the copy. */
    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<JsonNode> render(Path valuesFile) {
        return render(t -> t.withValuesFile(valuesFile));
    }

    public static List<JsonNode> renderDefaults() {
        return render(t -> t);
    }

    public static List<JsonNode> render(Map<String, ?> settings) {
        return render(t -> {
            settings.forEach(t::set);
            return t;
        });
    }

    /** Rendering with these settings fails, with a message that says each of these. */
    public static void assertRefused(Map<String, ?> settings, String... fragments) {
        var refusal = assertThatThrownBy(() -> render(new LinkedHashMap<String, Object>(settings)))
                .as(settings.toString());
        for (String fragment : fragments) {
            refusal.hasMessageContaining(fragment);
        }
    }

    /** The environment of a workload's first container, by variable name. */
    public static Map<String, JsonNode> env(JsonNode workload) {
        Map<String, JsonNode> env = new LinkedHashMap<>();
        workload.at("/spec/template/spec/containers/0/env").forEach(v -> env.put(v.path("name").asText(), v));
        return env;
    }

    public static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    /** The one object of this kind that belongs to a component: server, database or broker. */
    public static JsonNode one(List<JsonNode> objects, String kind, String component) {
        return one(ofKind(objects, kind).stream()
                .filter(o -> component.equals(o.at("/metadata/labels/app.kubernetes.io~1component").asText()))
                .toList(), kind);
    }

    public static JsonNode one(List<JsonNode> objects, String kind) {
        List<JsonNode> found = ofKind(objects, kind);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + ", found " + found.size());
        }
        return found.get(0);
    }
}
