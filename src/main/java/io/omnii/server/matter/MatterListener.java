package io.omnii.server.matter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Receives what the Matter Server says: a full snapshot on every (re)connection, then events. */
public interface MatterListener {

    /** Connected and listening: the server's info and every node it has. Anything known before is stale. */
    void onSnapshot(JsonNode serverInfo, List<JsonNode> nodes);

    /** An event after the snapshot; unknown names must be ignored. */
    void onEvent(String event, JsonNode data);

    /** The connection dropped (or was refused): nothing more is heard until the next snapshot. */
    default void onDisconnected() {
    }
}
