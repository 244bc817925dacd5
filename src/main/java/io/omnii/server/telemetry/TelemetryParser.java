package io.omnii.server.telemetry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.common.Ids;
import io.omnii.server.common.StorableText;
import io.omnii.server.fleet.InstanceStatus;
import io.omnii.server.mqtt.Topics;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
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
 *
 * <p>Whatever passes, PostgreSQL takes: a payload with a string its text and jsonb types refuse, or a number Java
 * cannot hold as sent, is refused here, so it never fails the batch it would have been written with.
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
        final RejectReason reason;

        Invalid(String message) {
            this(RejectReason.INVALID_PAYLOAD, message);
        }

        Invalid(RejectReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    /** {@code receivedAt} is the server's time of arrival: a report stamped too far after it is refused. */
    public Parsed parse(String topic, byte[] payload, Instant receivedAt) {
        String[] parts = topic == null ? new String[0] : topic.split("/", -1);
        Optional<MessageKind> kind = parts.length == 3 ? MessageKind.ofSegment(parts[2]) : Optional.empty();
        Optional<UUID> id = parts.length == 3 ? Ids.parse(parts[1]) : Optional.empty();
        if (kind.isEmpty() || id.isEmpty() || !topic.startsWith(Topics.INSTANCE_PREFIX)) {
            return Parsed.rejected(kind, RejectReason.BAD_TOPIC, "topic " + abbreviate(topic));
        }
        if (payload.length > config.maxPayloadBytes()) {
            return Parsed.rejected(kind, RejectReason.TOO_LARGE, payload.length + " bytes");
        }
        if (!isUtf8(payload)) {
            return Parsed.rejected(kind, RejectReason.MALFORMED_JSON, "not UTF-8");
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
            storable(json);
            Instant latest = receivedAt.plus(config.maxClockSkew());
            return Parsed.ok(switch (kind.get()) {
                case STATUS -> new Report.Status(id.get(), status(json), text(json, "version"),
                        timestamp(json, latest));
                case HEARTBEAT -> new Report.Heartbeat(id.get(), status(json), seconds(json, "uptime"),
                        timestamp(json, latest));
                case METRICS -> metrics(id.get(), json, latest);
            });
        } catch (Invalid e) {
            return Parsed.rejected(kind, e.reason, e.getMessage());
        }
    }

    /**
     * Strict UTF-8 (JSON's encoding), checked before Jackson reads it: Jackson decodes overlong forms (of U+0000
     * too) and sequences beyond U+10FFFF, and drops a byte 0xFF from a field name it has seen without it.
     */
    private static boolean isUtf8(byte[] payload) {
        for (byte b : payload) {
            if (b < 0) {
                try {
                    StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(payload));
                    return true;
                } catch (CharacterCodingException e) {
                    return false;
                }
            }
        }
        return true; // ASCII, as heartbeats and most reports are: nothing to decode
    }

    /**
     * Refuses what PostgreSQL would refuse or change, anywhere in the payload (keys too): U+0000 (text and jsonb
     * refuse it), an unpaired surrogate (not Unicode: it would be stored as "?"; Jackson decodes one from an
     * escaped lone surrogate), a number beyond a double's range (read as Infinity). Raw control characters and
     * nesting deeper than 1,000 Jackson refuses as malformed.
     */
    private static void storable(JsonNode node) throws Invalid {
        if (node.isTextual()) {
            storable(node.textValue());
        } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw new Invalid("a number is out of range");
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                storable(field.getKey());
                storable(field.getValue());
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                storable(element);
            }
        }
    }

    private static void storable(String s) throws Invalid {
        if (StorableText.hasNul(s)) {
            throw new Invalid("a string holds U+0000");
        }
        if (StorableText.hasUnpairedSurrogate(s)) {
            throw new Invalid("a string holds an unpaired surrogate");
        }
    }

    private Report.Metrics metrics(UUID id, JsonNode json, Instant latest) throws Invalid {
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
                typedMetadata, timestamp(json, latest));
    }

    private static InstanceStatus status(JsonNode json) throws Invalid {
        JsonNode node = json.get("status");
        Optional<InstanceStatus> status = node != null && node.isTextual()
                ? InstanceStatus.fromWire(node.asText()).filter(REPORTABLE::contains)
                : Optional.empty();
        return status.orElseThrow(() -> new Invalid("status must be online, offline or error"));
    }

    /**
     * A report stamped after {@code latest} would order every genuine report after it as older (its instance frozen
     * until then): refused, and counted apart, since it points at a clock, not at a malformed payload.
     */
    private static Instant timestamp(JsonNode json, Instant latest) throws Invalid {
        JsonNode node = json.get("timestamp");
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()
                || node.asLong() < MIN_TIMESTAMP || node.asLong() > MAX_TIMESTAMP) {
            throw new Invalid("timestamp must be epoch milliseconds");
        }
        Instant stamp = Instant.ofEpochMilli(node.asLong());
        if (stamp.isAfter(latest)) {
            throw new Invalid(RejectReason.FUTURE_TIMESTAMP, "timestamp " + stamp + " is ahead of the server's clock");
        }
        return stamp;
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
