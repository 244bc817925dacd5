package io.omnii.server.matter;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what the client hands to listeners, in order. */
@Singleton
public class RecordingListener implements MatterListener {

    public final List<List<JsonNode>> snapshots = new CopyOnWriteArrayList<>();
    public final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onSnapshot(JsonNode serverInfo, List<JsonNode> nodes) {
        snapshots.add(nodes);
    }

    @Override
    public void onEvent(String event, JsonNode data) {
        events.add(event);
    }
}
