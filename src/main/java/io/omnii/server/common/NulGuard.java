package io.omnii.server.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses the NUL character (U+0000) in query parameters and anywhere in a JSON body, keys included, with a 400
 * naming the field. PostgreSQL stores it in neither text nor jsonb: let through, it fails the query and the client
 * gets a 500. In a body it also refuses what would not reach a store or a wire as sent: an unpaired surrogate in a
 * string (not Unicode, it goes out as "?"; Jackson decodes one from an escape such as backslash-u D800, refusing it
 * only in a key) and a number beyond a double's range (read as Infinity, and sent on as the string "Infinity"). One
 * check at the door rather than one per field, so a new field cannot forget it.
 */
@Provider
public class NulGuard implements ReaderInterceptor {

    static final String MESSAGE = "must not contain the NUL character (U+0000)";
    static final String SURROGATE = "must be Unicode text: it holds an unpaired surrogate";
    static final String OUT_OF_RANGE = "is a number beyond the range of a double";
    private static final JsonFactory JSON = new JsonFactory();

    @ServerRequestFilter(preMatching = true)
    public void queryParameters(ContainerRequestContext request) {
        for (Map.Entry<String, List<String>> parameter : request.getUriInfo().getQueryParameters().entrySet()) {
            if (StorableText.hasNul(parameter.getKey())
                    || parameter.getValue().stream().anyMatch(StorableText::hasNul)) {
                throw ApiException.invalid(parameter.getKey(), MESSAGE);
            }
        }
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        MediaType type = context.getMediaType();
        if (type == null || !(type.getSubtype().equals("json") || type.getSubtype().endsWith("+json"))) {
            return context.proceed();
        }
        // Bodies are at most 64 KiB (HttpLimits): reading one twice costs little next to what the request does.
        byte[] body = context.getInputStream().readAllBytes();
        Optional<ApiError.Violation> refused = refused(body);
        if (refused.isPresent()) {
            throw ApiException.invalid(List.of(refused.get()));
        }
        context.setInputStream(new ByteArrayInputStream(body));
        return context.proceed();
    }

    /** The first key or value refused: the field as the error mappers name fields, and why; empty if none. */
    static Optional<ApiError.Violation> refused(byte[] body) throws IOException {
        try (JsonParser parser = JSON.createParser(body)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                String why = null;
                if (token == JsonToken.FIELD_NAME || token == JsonToken.VALUE_STRING) {
                    String text = parser.getText();
                    why = StorableText.hasNul(text) ? MESSAGE
                            : StorableText.hasUnpairedSurrogate(text) ? SURROGATE : null;
                } else if (token == JsonToken.VALUE_NUMBER_FLOAT && Double.isInfinite(parser.getDoubleValue())) {
                    why = OUT_OF_RANGE;
                }
                if (why != null) {
                    return Optional.of(new ApiError.Violation(path(parser.getParsingContext()), why));
                }
            }
        } catch (JsonProcessingException malformed) {
            // Not JSON: the body's reader says so, with its own answer.
        }
        return Optional.empty();
    }

    private static String path(JsonStreamContext context) {
        Deque<String> names = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            names.addFirst(c.inArray() ? String.valueOf(c.getCurrentIndex()) : String.valueOf(c.getCurrentName()));
        }
        return names.isEmpty() ? "body" : String.join(".", names);
    }
}
