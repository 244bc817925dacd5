package io.omnii.server.common;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * What the annotation scanner cannot see, written into /q/openapi once at build time, for every operation alike, so a
 * new endpoint or enum is described right without anyone remembering to:
 * <ul>
 * <li>enums list their wire names: {@link WireEnum} declares the {@code @JsonValue}, and the scanner only reads one
 * declared on the enum itself;</li>
 * <li>{@code page} and {@code size} are integers with {@link Page}'s ranges (taken as text and checked by
 * {@link WholeNumber}, so that a non-number is a 400);</li>
 * <li>a nullable property of a simple named type (a UUID, an enum) is written inline: OpenAPI 3.0 can only say
 * "this reference, or null" with an {@code allOf} that validators refuse null for;</li>
 * <li>the errors every operation can answer (by its shape: a body, a path id, query parameters, a credential),
 * and every 4xx/5xx, also those an operation declares itself, carry the one {@link ApiError} body.</li>
 * </ul>
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ApiDocumentFilter implements OASFilter {

    /** The schema name of {@link ApiError}, registered on the application class. */
    public static final String ERROR_SCHEMA = "ApiError";

    private static final Pattern JAVA_CONSTANT = Pattern.compile("[A-Z][A-Z0-9_]*");

    private static final Map<String, String> GENERIC = Map.ofEntries(
            Map.entry("400", "Invalid request: `validation_failed` with the fields at fault in `violations`, or `malformed_json`"),
            Map.entry("401", "No or wrong credential (`unauthorized`)"),
            Map.entry("403", "The credential's role may not do this (`forbidden`)"),
            Map.entry("404", "No such thing, or a path id that is not one (`not_found`)"),
            Map.entry("406", "The client accepts no JSON (`not_acceptable`)"),
            Map.entry("413", "The body is over 64 KiB (`payload_too_large`)"),
            Map.entry("414", "The request line is too long"),
            Map.entry("415", "The body is not `application/json` (`unsupported_media_type`)"),
            Map.entry("431", "The request headers are too large"),
            Map.entry("500", "A bug (`internal_error`); the body never carries a stack trace"),
            Map.entry("503", "A service the server needs (PostgreSQL, the MQTT broker) is unavailable; retry shortly"));

    @Override
    public Schema filterSchema(Schema schema) {
        List<Object> values = schema.getEnumeration();
        if (values != null
                && values.stream().allMatch(v -> v instanceof String s && JAVA_CONSTANT.matcher(s).matches())) {
            // Every enum the API shows is a WireEnum: its wire name is its constant's name in lower case.
            schema.setEnumeration(values.stream().map(v -> (Object) ((String) v).toLowerCase(Locale.ROOT)).toList());
        }
        return schema;
    }

    @Override
    public Parameter filterParameter(Parameter parameter) {
        if (parameter.getIn() == Parameter.In.QUERY && "page".equals(parameter.getName())) {
            parameter.setSchema(integer(0, Page.MAX_PAGE, 0));
        } else if (parameter.getIn() == Parameter.In.QUERY && "size".equals(parameter.getName())) {
            parameter.setSchema(integer(1, Page.MAX_SIZE, Page.DEFAULT_SIZE));
        }
        return parameter;
    }

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getComponents() != null && api.getComponents().getSchemas() != null) {
            Map<String, Schema> named = api.getComponents().getSchemas();
            named.values().stream().filter(s -> s.getProperties() != null).forEach(s -> {
                Map<String, Schema> properties = new LinkedHashMap<>();
                s.getProperties().forEach((name, property) -> properties.put(name, inlineNullable(property, named)));
                s.setProperties(properties);
            });
        }
        if (api.getPaths() != null && api.getPaths().getPathItems() != null) {
            api.getPaths().getPathItems().forEach((path, item) -> item.getOperations().values()
                    .forEach(operation -> describeErrors(path, operation)));
        }
    }

    /** "A reference to a simple named type, or null" (anyOf the two) as that type's own schema plus null. */
    private static Schema inlineNullable(Schema property, Map<String, Schema> named) {
        List<Schema> anyOf = property.getAnyOf();
        if (anyOf == null || anyOf.size() != 2 || anyOf.stream().noneMatch(ApiDocumentFilter::isNull)) {
            return property;
        }
        Schema target = anyOf.stream().filter(s -> s.getRef() != null).findFirst()
                .map(s -> named.get(s.getRef().substring(s.getRef().lastIndexOf('/') + 1))).orElse(null);
        if (target == null || target.getType() == null || target.getType().contains(Schema.SchemaType.OBJECT)
                || target.getType().contains(Schema.SchemaType.ARRAY)) {
            return property;
        }
        List<Schema.SchemaType> types = new ArrayList<>(target.getType());
        types.add(Schema.SchemaType.NULL);
        return OASFactory.createSchema().type(types).format(target.getFormat()).pattern(target.getPattern())
                .enumeration(target.getEnumeration()).description(property.getDescription());
    }

    private static boolean isNull(Schema schema) {
        return List.of(Schema.SchemaType.NULL).equals(schema.getType());
    }

    private static void describeErrors(String path, Operation operation) {
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = operation.getResponses();
        boolean body = operation.getRequestBody() != null;
        boolean query = operation.getParameters() != null
                && operation.getParameters().stream().anyMatch(p -> p.getIn() == Parameter.In.QUERY);
        boolean secured = operation.getSecurity() == null || !operation.getSecurity().isEmpty(); // null: the default
        addIf(body || query, responses, "400");
        addIf(secured, responses, "401");
        addIf(secured, responses, "403");
        addIf(path.contains("{"), responses, "404");
        addIf(true, responses, "406");
        addIf(body, responses, "413");
        addIf(true, responses, "414");
        addIf(body, responses, "415");
        addIf(true, responses, "431");
        addIf(true, responses, "500");
        addIf(true, responses, "503");
        responses.getAPIResponses().forEach((code, response) -> {
            if (code.length() == 3 && code.charAt(0) >= '4' && response.getContent() == null) {
                response.setContent(OASFactory.createContent().addMediaType("application/json",
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref(ERROR_SCHEMA))));
            }
        });
    }

    private static void addIf(boolean applies, APIResponses responses, String code) {
        if (applies && !responses.hasAPIResponse(code)) {
            APIResponse response = OASFactory.createAPIResponse().description(GENERIC.get(code));
            responses.addAPIResponse(code, response);
        }
    }

    private static Schema integer(int min, int max, int byDefault) {
        return OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).format("int32")
                .minimum(BigDecimal.valueOf(min)).maximum(BigDecimal.valueOf(max)).defaultValue(byDefault);
    }
}
