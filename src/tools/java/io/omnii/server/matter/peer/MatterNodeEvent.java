package io.omnii.server.matter.peer;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;

/** node_event data. data is name-keyed (CHIP SDK field names) and is sent as null, not left out, when empty. */
public record MatterNodeEvent(
        BigInteger nodeId,
        int endpointId,
        long clusterId,
        long eventId,
        BigInteger eventNumber,
        int priority,
        BigInteger timestamp,
        int timestampType,
        JsonNode data) {
}
