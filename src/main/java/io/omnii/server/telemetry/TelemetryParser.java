package io.omnii.server.telemetry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.common.Ids;
import io.omnii.server.fleet.InstanceStatus;
import io.omnii.server.mqtt.Topics;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Checks a message against the add-on guide: the topic names an instance and a kind, the payload is a JSON object
 * with the guide's fields of the guide's types. Fields the guide does not name are tolerated; fields it names but
 * the example add-on may leave out are optional, except the status and the timestamp.
 */
@Singleton
public class TelemetryParser {

    static final int MAX_TEXT = 100;
    private static final Set<InstanceStatus> REPORTABLE = EnumSet.of(InstanceStatus.ONLINE, InstanceStatus.OFFLINE,
            InstanceStatus.ERROR);
    // Epoch milliseconds from 2001 to 2286: catches seconds sent for milliseconds and garbage.
    private static final long MIN_TIMESTAMP = 1_000_000_000_000L;
    private static final long MAX_TIMESTAMP = 9_999_999_999_999L;

    private final ObjectMapper mapper;
    private final TelemetryConfig config;

    TelemetryParser(ObjectMapper mapper, TelemetryConfig config) {
        this.mapper = mapper;
        this.config = config;
    }

    private static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    public Parsed parse(String topic, byte[] payload) {
        String[] parts = topic == null ? new String[0] : topic.split("/", -1);
        Optional<MessageKind> kind = parts.length == 3 ? MessageKind.ofSegment(parts[2]) : Optional.empty();
        Optional<UUID> id = parts.length == 3 ? Ids.parse(parts[1]) : Optional.empty();
        if (kind.isEmpty() || id.isEmpty() || !topic.startsWith(Topics.INSTANCE_PREFIX)) {
            return Parsed.rejected(kind, RejectReason.BAD_TOPIC, "topic " + abbreviate(topic));
        }
        if (payload.length > config.maxPayloadBytes()) {
            return Parsed.rejected(kind, RejectReason.TOO_LARGE, payload.length + " bytes");
        }
        JsonNode json;
        try {
            json = mapper.readTree(payload);
        } catch (IOException e) {
            return Parsed.rejected(kind, RejectReason.MALFORMED_JSON, "not JSON");
        }
        if (json == null || !json.isObject()) {
            return Parsed.rejected(kind, RejectReason.MALFORMED_JSON, "not a JSON object");
        }
        try {
            return Parsed.ok(switch (kind.get()) {
                case STATUS -> new Report.Status(id.get(), status(json), text(json, "version"), timestamp(json));
                case HEARTBEAT -> new Report.Heartbeat(id.get(), status(json), seconds(json, "uptime"),
                        timestamp(json));
                case METRICS -> metrics(id.get(), json);
            });
        } catch (Invalid e) {
            return Parsed.rejected(kind, RejectReason.INVALID_PAYLOAD, e.getMessage());
        }
    }

    private Report.Metrics metrics(UUID id, JsonNode json) throws Invalid {
        Double stability = null;
        JsonNode score = json.get("stabilityScore");
        if (present(score)) {
            if (!score.isNumber() || score.asDouble() < 0 || score.asDouble() > 1) {
                throw new Invalid("stabilityScore must be a number from 0 to 1");
            }
            stability = score.asDouble();
        }
        JsonNode metadata = json.get("metadata");
        Map<String, Object> kept = null;
        if (present(metadata)) {
            if (!metadata.isObject()) {
                throw new Invalid("metadata must be an object");
            }
            try {
                kept = mapper.treeToValue(metadata, Map.class);
            } catch (JsonProcessingException e) {
                throw new Invalid("metadata is not readable");
            }
        } else {
            metadata = mapper.createObjectNode();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typedMetadata = kept;
        return new Report.Metrics(id, seconds(json, "uptimeSeconds"), text(json, "version"), stability,
                text(metadata, "coreVersion"), text(metadata, "supervisorVersion"), text(metadata, "osVersion"),
                count(metadata, "totalDevices"), count(metadata, "totalEntities"), count(metadata, "pendingUpdates"),
                typedMetadata, timestamp(json));
    }

    private static InstanceStatus status(JsonNode json) throws Invalid {
        JsonNode node = json.get("status");
        Optional<InstanceStatus> status = node != null && node.isTextual()
                ? InstanceStatus.fromWire(node.asText()).filter(REPORTABLE::contains)
                : Optional.empty();
        return status.orElseThrow(() -> new Invalid("status must be online, offline or error"));
    }

    private static Instant timestamp(JsonNode json) throws Invalid {
        JsonNode node = json.get("timestamp");
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()
                || node.asLong() < MIN_TIMESTAMP || node.asLong() > MAX_TIMESTAMP) {
            throw new Invalid("timestamp must be epoch milliseconds");
        }
        return Instant.ofEpochMilli(node.asLong());
    }

    private static String text(JsonNode json, String field) throws Invalid {
        JsonNode node = json.get(field);
        if (!present(node)) {
            return null;
        }
        if (!node.isTextual() || node.asText().length() > MAX_TEXT) {
            throw new Invalid(field + " must be a string of at most " + MAX_TEXT + " characters");
        }
        return node.asText();
    }

    /** Seconds may come as a fraction (uptime computed from a float clock); they are stored whole. */
    private static Long seconds(JsonNode json, String field) throws Invalid {
        JsonNode node = json.get(field);
        if (!present(node)) {
            return null;
        }
        if (!node.isNumber() || node.asDouble() < 0 || node.asDouble() > Long.MAX_VALUE) {
            throw new Invalid(field + " must be a non-negative number of seconds");
        }
        return node.asLong();
    }

    private static Integer count(JsonNode json, String field) throws Invalid {
        JsonNode node = json.get(field);
        if (!present(node)) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0) {
            throw new Invalid("metadata." + field + " must be a non-negative integer");
        }
        return node.asInt();
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    private static String abbreviate(String s) {
        return s == null ? "(none)" : s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
