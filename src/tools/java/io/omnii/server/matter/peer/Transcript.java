package io.omnii.server.matter.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames recorded between a plain client and matterjs-server 1.4.1 commissioning a virtual on/off light
 * (src/tools/resources/matter, copied from shared/matter/transcripts): the source of the peer's node data.
 */
public final class Transcript {

    public static final String RESOURCE = "/matter/matterjs-server-1.4.1.jsonl";

    /** One recorded frame; dir is "send" (client to server) or "recv" (server to client). */
    public record Frame(String session, int seq, String dir, JsonNode msg) {

        /** The session name without its start time, e.g. "code-keep" for "code-keep-2026-11-23T12:29:57.336Z". */
        public String scenario() {
            return session.replaceFirst("-\\d{4}-\\d{2}-\\d{2}T.*$", "");
        }

        public boolean fromServer() {
            return "recv".equals(dir);
        }
    }

    private static final List<Frame> FRAMES = load();

    private Transcript() {
    }

    public static List<Frame> frames() {
        return FRAMES;
    }

    public static List<Frame> scenario(String name) {
        return FRAMES.stream().filter(f -> f.scenario().equals(name)).toList();
    }

    /** The first frame of a scenario whose event or command has this name. */
    public static Frame first(String scenario, String eventOrCommand) {
        return scenario(scenario).stream()
                .filter(f -> eventOrCommand.equals(f.msg().path("event").asText(null))
                        || eventOrCommand.equals(f.msg().path("command").asText(null)))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(eventOrCommand + " not in scenario " + scenario));
    }

    /** A fresh copy of the light exactly as its node_added event carried it right after commissioning. */
    public static ObjectNode virtualLight() {
        return (ObjectNode) first("code", "node_added").msg().get("data").deepCopy();
    }

    private static List<Frame> load() {
        try (InputStream in = Transcript.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            List<Frame> frames = new ArrayList<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                JsonNode json = Wire.parse(line);
                frames.add(new Frame(json.get("session").asText(), json.get("seq").asInt(), json.get("dir").asText(),
                        json.get("msg")));
            }
            return List.copyOf(frames);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
