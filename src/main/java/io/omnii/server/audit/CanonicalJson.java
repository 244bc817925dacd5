package io.omnii.server.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * An entry's detail as one exact text, whatever spelling jsonb gives it back in: object keys sorted, numbers in plain
 * decimal without trailing zeros ({@code 100}, {@code 0.5}), strings made storable ({@link AuditText}). jsonb reorders
 * keys and respells numbers and escapes, but keeps every value; so the detail read back from a row canonicalises to
 * the text that was hashed when it was written.
 */
final class CanonicalJson {

    // Its own mapper: numbers read exactly, whatever the application's mapper is configured to do.
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private CanonicalJson() {
    }

    /** The canonical text of a detail map (null is an empty object). */
    static String of(Map<String, ?> detail) {
        return write(detail == null ? MAPPER.createObjectNode() : MAPPER.valueToTree(detail));
    }

    /** The canonical text of stored JSON. */
    static String of(String json) {
        return write(tree(json));
    }

    /** Stored JSON as a tree, numbers exact. */
    static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON", e);
        }
    }

    private static String write(JsonNode node) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            write(node, generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(JsonNode node, JsonGenerator out) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                out.writeStartObject();
                Map<String, JsonNode> fields = new TreeMap<>();
                node.fields().forEachRemaining(f -> fields.put(AuditText.storable(f.getKey()), f.getValue()));
                for (Map.Entry<String, JsonNode> field : fields.entrySet()) {
                    out.writeFieldName(field.getKey());
                    write(field.getValue(), out);
                }
                out.writeEndObject();
            }
            case ARRAY -> {
                out.writeStartArray();
                for (Iterator<JsonNode> it = node.elements(); it.hasNext();) {
                    write(it.next(), out);
                }
                out.writeEndArray();
            }
            case NUMBER -> {
                if (node.isDouble() || node.isFloat()) {
                    double d = node.doubleValue();
                    if (Double.isNaN(d) || Double.isInfinite(d)) {
                        throw new IllegalArgumentException("JSON has no " + d);
                    }
                }
                out.writeNumber(node.decimalValue().stripTrailingZeros().toPlainString());
            }
            case STRING -> out.writeString(AuditText.storable(node.textValue()));
            case BOOLEAN -> out.writeBoolean(node.booleanValue());
            case NULL, MISSING -> out.writeNull();
            default -> out.writeString(AuditText.storable(node.asText()));
        }
    }
}
