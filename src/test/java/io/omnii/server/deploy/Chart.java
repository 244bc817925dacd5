package io.omnii.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

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

    public static List<JsonNode> render(Path valuesFile) {
        return render(t -> t.withValuesFile(valuesFile));
    }

    public static List<JsonNode> renderDefaults() {
        return render(t -> t);
    }

    public static List<JsonNode> render(Map<String, Object> settings) {
        return render(t -> {
            settings.forEach(t::set);
            return t;
        });
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
