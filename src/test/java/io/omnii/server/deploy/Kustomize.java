package io.omnii.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** What `kubectl apply -k` would apply: `kubectl kustomize` of a directory, as a list of objects. */
public final class Kustomize {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Kustomize() {
    }

    public static List<JsonNode> build(Path dir) throws IOException, InterruptedException {
        Path errors = Files.createTempFile("kustomize", ".err");
        Process kubectl;
        try {
            kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString())
                    .redirectError(errors.toFile()).start();
        } catch (IOException e) {
            // TOOLCHAIN.md: kubectl is not on every fresh machine and no registry we reach carries a recent one.
            // Skipped loudly (scripts/test.sh warns too) rather than failing a build that cannot render.
            Assumptions.abort("kubectl (1.24 or newer, for its kustomize) is not installed: cannot render " + dir);
            throw new IllegalStateException(e);
        }
        String manifests = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!kubectl.waitFor(60, TimeUnit.SECONDS) || kubectl.exitValue() != 0) {
            throw new AssertionError("kubectl kustomize " + dir + " failed: " + Files.readString(errors));
        }
        Files.delete(errors);
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(manifests)) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext();) {
                objects.add(it.next());
            }
        }
        return objects;
    }

    public static JsonNode one(List<JsonNode> objects, String kind, String name) {
        List<JsonNode> found = objects.stream().filter(o -> kind.equals(o.path("kind").asText())
                && name.equals(o.at("/metadata/name").asText())).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + "/" + name + ", found " + found.size());
        }
        return found.get(0);
    }
}
