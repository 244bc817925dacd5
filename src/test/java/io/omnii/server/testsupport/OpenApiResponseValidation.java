package io.omnii.server.testsupport;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.Response;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.SimpleValidationReportFormat;
import com.atlassian.oai.validator.report.ValidationReport;
import io.quarkus.test.junit.callback.QuarkusTestAfterAllCallback;
import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestContext;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.FilterContext;
import io.restassured.filter.OrderedFilter;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Checks every response a {@code @QuarkusTest} gets through RestAssured against the server's own /q/openapi, with
 * Atlassian's OpenAPI validator: the status must be one the operation documents, and the body must match that
 * status's schema (types, enums, nullability, required fields). A mismatch fails the test that made the request, so
 * the document cannot drift from the API. Requests are not checked: tests send bad ones on purpose.
 *
 * <p>Installed before each test (a Quarkus test callback, listed in META-INF/services) as a global RestAssured filter.
 * Paths the document does not describe (/q/..., the console's /console/...) pass unchecked; an answer to a path or method the API does not have
 * (404, 405) must still be the {@code ApiError} body.
 */
public final class OpenApiResponseValidation implements OrderedFilter, QuarkusTestBeforeEachCallback,
        QuarkusTestAfterAllCallback {

    private static final Logger LOG = Logger.getLogger(OpenApiResponseValidation.class);
    private static final AtomicInteger VALIDATED = new AtomicInteger();
    private static volatile Document document;

    /** The parsed document and a validator for it, made once from the first server a test talks to. */
    private record Document(OpenAPI api, OpenApiInteractionValidator validator) {

        /** A concrete path of a GET that documents 404, its path parameters filled in. */
        String anyNotFoundPath() {
            return api.getPaths().entrySet().stream()
                    .filter(e -> e.getValue().getGet() != null && e.getValue().getGet().getResponses().containsKey("404"))
                    .map(e -> e.getKey().replaceAll("\\{[^}]+}", "0")).findFirst().orElseThrow();
        }
    }

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (RestAssured.filters().stream().noneMatch(OpenApiResponseValidation.class::isInstance)) {
            RestAssured.filters(new OpenApiResponseValidation());
        }
    }

    @Override
    public void afterAll(QuarkusTestContext context) {
        LOG.infof("OpenAPI: %d responses checked against /q/openapi so far", VALIDATED.get());
    }

    /** How many responses have been checked in this JVM. */
    public static int validated() {
        return VALIDATED.get();
    }

    @Override
    public int getOrder() {
        return OrderedFilter.LOWEST_PRECEDENCE; // closest to the wire: sees the response as the server sent it
    }

    @Override
    public io.restassured.response.Response filter(FilterableRequestSpecification request,
            FilterableResponseSpecification responseSpec, FilterContext context) {
        io.restassured.response.Response response = context.next(request, responseSpec);
        URI uri = URI.create(request.getURI());
        // /q/ is Quarkus' own; the console (/ sends browsers to /console/) is not the API: the document omits it.
        if (uri.getRawPath().startsWith("/q/") || uri.getRawPath().startsWith("/console/") || uri.getRawPath().equals("/")) {
            return response;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        response.getHeaders().asList().forEach(h -> headers.computeIfAbsent(h.getName(), n -> new ArrayList<>())
                .add(h.getValue()));
        ValidationReport report = check(uri, request.getMethod(), response.statusCode(), headers, response.asString());
        if (report.hasErrors()) {
            throw new AssertionError(request.getMethod() + " " + uri.getRawPath() + " answered "
                    + response.statusCode() + " " + response.asString() + "\nwhich /q/openapi does not describe:\n"
                    + SimpleValidationReportFormat.getInstance().apply(report));
        }
        return response;
    }

    /** The validator's findings on one response; empty when it matches the document. */
    public static ValidationReport check(URI server, String method, String path, int status, String contentType,
            String body) {
        return check(server.resolve(path), method, status, Map.of("Content-Type", List.of(contentType)), body);
    }

    /** The validator's findings on one response to {@code uri} (only its path counts); empty when it matches. */
    public static ValidationReport check(URI uri, String method, int status, Map<String, List<String>> headers,
            String body) {
        Document doc = document(uri);
        Request.Method verb = Request.Method.valueOf(method.toUpperCase(Locale.ROOT));
        // The path as the server routes it: a "." or ".." segment (a hostile path value) is removed first, so
        // DELETE /me/tokens/. is DELETE /me/tokens, which has no such method.
        String path = uri.normalize().getRawPath();
        ValidationReport report = doc.validator().validateResponse(path, verb, response(status, headers, body));
        VALIDATED.incrementAndGet();
        if (noSuchOperation(report) && (status == 404 || status == 405)) {
            // The API has no such path or method, so no operation documents the answer; it must still be the one
            // error shape: checked as the 404 of an operation that documents one.
            return doc.validator().validateResponse(doc.anyNotFoundPath(), Request.Method.GET,
                    response(404, headers, body));
        }
        return report;
    }

    private static Response response(int status, Map<String, List<String>> headers, String body) {
        SimpleResponse.Builder response = SimpleResponse.Builder.status(status).withBody(body);
        headers.forEach(response::withHeader);
        return response.build();
    }

    private static boolean noSuchOperation(ValidationReport report) {
        return !report.getMessages().isEmpty() && report.getMessages().stream().allMatch(m ->
                m.getKey().equals("validation.request.path.missing")
                        || m.getKey().equals("validation.request.operation.notAllowed"));
    }

    private static Document document(URI uri) {
        Document doc = document;
        if (doc == null) {
            synchronized (OpenApiResponseValidation.class) {
                if (document == null) {
                    document = load(uri.resolve("/q/openapi?format=json"));
                }
                doc = document;
            }
        }
        return doc;
    }

    private static Document load(URI location) {
        String json;
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(location).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException(location + " answered " + answer.statusCode());
            }
            json = answer.body();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + location, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading " + location, e);
        }
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        OpenAPI api = new OpenAPIV3Parser().readContents(json, null, options).getOpenAPI();
        if (api == null) {
            throw new IllegalStateException(location + " is not an OpenAPI document");
        }
        return new Document(api, OpenApiInteractionValidator.createFor(api).build());
    }
}
