package io.omnii.server.matter.peer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.UncheckedIOException;

/** JSON as the Matter Server writes it: snake_case records, 64-bit integers as plain numbers, never via double. */
public final class Wire {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            // JSON.parse rejects "{} x"; Jackson would otherwise stop quietly after the first value.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    // python-matter-server sends orjson OPT_INDENT_2 frames: multi-line, "key": value, empty containers as [] and {}.
    private static final ObjectWriter ORJSON_INDENT_2 = MAPPER.writer(new DefaultPrettyPrinter(
            Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    private Wire() {
    }

    public static JsonNode parse(String text) throws JsonProcessingException {
        return MAPPER.readTree(text);
    }

    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    public static String write(JsonNode frame, boolean pretty) {
        try {
            return pretty ? ORJSON_INDENT_2.writeValueAsString(frame) : MAPPER.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
