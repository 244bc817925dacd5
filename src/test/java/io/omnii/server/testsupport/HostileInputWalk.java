package io.omnii.server.testsupport;

import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * "No 5xx from bad input" as a property of the whole API, not of a list of cases: walks every operation of the
 * OpenAPI document that a {@link Target} covers and sends, with its bearer token (the admin's by default), hostile values for each path and
 * query parameter and each body field (nested ones too), and hostile whole bodies. Every answer must be below 500
 * (but for the 5xx the target tolerates: documented answers that say a service failed, not that the input was bad),
 * every error must carry exactly the documented body, and every answer must be one /q/openapi documents for the
 * operation. Fixed values plus seeded random ones: the seed is printed, and {@code -Dfuzz.seed=N} replays it.
 */
public final class HostileInputWalk {

    /** What a walk covers, how deep its requests go, and which 5xx are not findings. */
    public interface Target {

        /** Whether to walk this operation (method in upper case, path as the document writes it). */
        default boolean covers(String method, String path) {
            return true;
        }

        /**
         * The value (percent-encoded) a parameter has while another is under test, so the request gets as deep as it
         * can; null leaves a query parameter out.
         */
        String baseline(String path, String parameter, String in);

        /**
         * Body fields by name (at any depth) with a value that gets the request past the other fields' checks, over
         * the walk's own plausible values; a MissingNode leaves the field out. One map per baseline body: the
         * fields are walked once on each.
         */
        default List<Map<String, JsonNode>> bodies(String method, String path) {
            return List.of(Map.of());
        }

        /** The bearer token the walk sends. */
        default String bearerToken() {
            return Api.ADMIN_TOKEN;
        }

        /** A 5xx that is not a finding: documented as not the client's fault. */
        boolean tolerated(String path, int status, String error);
    }

    /** What a walk found: one line per request answered wrongly; how many answers of each status. */
    public record Result(int sent, long millis, List<String> findings, Map<Integer, Integer> statuses) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOLE = "__hostile__";
    private static final Set<String> ERROR_KEYS = Set.of("status", "error", "message", "violations");
    private static final Pattern ERROR_CODE = Pattern.compile("[a-z][a-z0-9_]*");
    private static final int RANDOM_VALUES = 4;

    /**
     * Parameter values, sent percent-encoded as UTF-8. Overlong ones stop at 5,000 and 60,000 characters: past 64 KiB
     * the HTTP layer refuses the URI itself, without a body (docs/api.md, Sizes).
     */
    private static final List<String> PARAMETER_VALUES = List.of("", " ", "\0", "a\0b", "-1", "0",
            "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-99999999999999999999", "1e400",
            "-1e400", "NaN", "1.5", "true", "null", "[]", "{}", "not-a-uuid", "00000000-0000-0000-0000-000000000000",
            "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "%", "\uFFFF", "\uD800", "é😀", "'; DROP TABLE instance; --",
            "../../etc/passwd", "\r\n", "x".repeat(300), "x".repeat(5_000), "x".repeat(60_000));
    /** Sent as they are, already percent-encoded: bytes that are not UTF-8, an encoded NUL, an encoded surrogate. */
    private static final List<String> RAW_PARAMETER_VALUES = List.of("%00", "%FF%FE", "%C0%80", "%ED%A0%80",
            "%E2%28%A1", "%25");
    /** JSON values put in place of one field. */
    private static final List<String> FIELD_VALUES = List.of("null", "\"\"", "\"\\u0000\"", "\"a\\u0000b\"",
            "{\"\\u0000\": 1}", "[\"\\u0000\"]", "\"" + "x".repeat(1_000_000) + "\"", "\"" + "x".repeat(60_000) + "\"",
            "\"" + "x".repeat(300) + "\"", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
            "-1", "0", "2147483648", "1e400", "-1e400", "1.5", "true", "[]", "[1, \"a\", null]", "{}",
            "{\"a\": {\"b\": [null, {}]}}", "\"not-a-uuid\"", "\"00000000-0000-0000-0000-000000000000\"",
            "\"\\ud800\"", "\"é😀\"", "\"'; DROP TABLE instance; --\"", "[" + "\"x\",".repeat(5_000) + "\"x\"]",
            "[".repeat(1_500) + "]".repeat(1_500));
    /** Whole bodies. */
    private static final List<byte[]> BODIES = List.of(new byte[0], bytes("{"), bytes("[]"), bytes("\"x\""),
            bytes("1e400"), bytes("null"), bytes("{\"a\": 1,}"), bytes("{\"\\u0000\": \"\\u0000\"}"),
            new byte[] { '{', '"', (byte) 0xFF, (byte) 0xFE, '"', ':', '1', '}' }, new byte[] { (byte) 0xC0, (byte) 0x80 },
            bytes("[".repeat(1_500)));

    private final String name;
    private final URI root;
    private final Target target;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<String> findings = new ArrayList<>();
    private final Map<Integer, Integer> statuses = new TreeMap<>();
    private JsonNode api;
    private int sent;

    /** A walk of the server at {@code root}; {@code name} heads the printed seed. */
    public HostileInputWalk(String name, URI root, Target target) {
        this.name = name;
        this.root = root;
        this.target = target;
    }

    /** The seed of -Dfuzz.seed, or a new one; printed so that a failing run can be replayed. */
    public long seed() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.printf("%s seed=%d (replay with -Dfuzz.seed=%d)%n", name, seed, seed);
        return seed;
    }

    public Result run(long seed) throws IOException, InterruptedException {
        Random random = new Random(seed);
        api = JSON.readTree(http.send(HttpRequest.newBuilder(root.resolve("/q/openapi?format=json")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        long started = System.nanoTime();
        for (Operation op : operations()) {
            List<String> parameterValues = new ArrayList<>(PARAMETER_VALUES);
            List<String> fieldValues = new ArrayList<>(FIELD_VALUES);
            for (int i = 0; i < RANDOM_VALUES; i++) {
                parameterValues.add(randomText(random));
                fieldValues.add(randomJson(random));
            }
            Map<String, JsonNode> first = op.bodies.get(0);
            check(op, op.baseline(), op.bodyText(first, null, null));
            for (String parameter : op.parameters.keySet()) {
                for (String value : parameterValues) {
                    check(op, op.with(parameter, encode(value)), op.bodyText(first, null, null));
                }
                for (String value : RAW_PARAMETER_VALUES) {
                    check(op, op.with(parameter, value), op.bodyText(first, null, null));
                }
            }
            if (op.body != null) {
                for (Map<String, JsonNode> baseline : op.bodies) {
                    for (List<String> field : fields(op.body, List.of())) {
                        for (String value : fieldValues) {
                            check(op, op.baseline(), op.bodyText(baseline, field, value));
                        }
                    }
                }
                for (byte[] body : BODIES) {
                    check(op, op.baseline(), body);
                }
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("%s: %d requests in %d ms, answers by status %s%n", name, sent, millis, statuses);
        return new Result(sent, millis, List.copyOf(findings), Map.copyOf(statuses));
    }

    /** One operation of the document, with a value for each parameter that gets it past the ones not under test. */
    private final class Operation {

        final String method;
        final String path;
        final Map<String, Parameter> parameters = new LinkedHashMap<>();
        final JsonNode body; // its schema, or null
        final List<Map<String, JsonNode>> bodies;

        Operation(String method, String path, JsonNode op) {
            this.method = method;
            this.path = path;
            op.path("parameters").forEach(p -> parameters.put(p.get("name").asText(),
                    new Parameter(p.get("in").asText(), p.path("schema").path("type").asText())));
            JsonNode content = op.path("requestBody").path("content").path("application/json");
            this.body = content.isMissingNode() ? null : content.get("schema");
            this.bodies = target.bodies(method, path);
        }

        Map<String, String> baseline() {
            Map<String, String> values = new LinkedHashMap<>();
            parameters.forEach((parameter, p) -> {
                String value = target.baseline(path, parameter, p.in);
                if (value != null) {
                    values.put(parameter, value);
                }
            });
            return values;
        }

        Map<String, String> with(String parameter, String encoded) {
            Map<String, String> values = baseline();
            values.put(parameter, encoded);
            return values;
        }

        URI uri(Map<String, String> values) {
            String p = path;
            StringBuilder query = new StringBuilder();
            for (Map.Entry<String, String> v : values.entrySet()) {
                Parameter parameter = parameters.get(v.getKey());
                if (parameter.in.equals("path")) {
                    p = p.replace("{" + v.getKey() + "}", v.getValue().isEmpty() ? "%20" : v.getValue());
                } else {
                    // Lists twice, short values only: two of the longest would pass the URI backstop.
                    int repeat = parameter.type.equals("array") && v.getValue().length() < 1_000 ? 2 : 1;
                    for (int i = 0; i < repeat; i++) {
                        query.append(query.isEmpty() ? "?" : "&").append(v.getKey()).append('=').append(v.getValue());
                    }
                }
            }
            return URI.create(root.toString().replaceFirst("/$", "") + p + query);
        }

        /** The body with {@code value} (JSON text) at {@code field}, or the plain baseline body; null if none. */
        byte[] bodyText(Map<String, JsonNode> baseline, List<String> field, String value) {
            if (body == null) {
                return null;
            }
            JsonNode node = baselineBody(baseline, body, field == null ? List.of() : field, true);
            String text = node.toString();
            return bytes(field == null ? text : text.replace("\"" + HOLE + "\"", value));
        }
    }

    private record Parameter(String in, String type) {
    }

    private List<Operation> operations() {
        List<Operation> ops = new ArrayList<>();
        api.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(m -> {
            String method = m.getKey().toUpperCase();
            if (Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)
                    && target.covers(method, path.getKey())) {
                ops.add(new Operation(method, path.getKey(), m.getValue()));
            }
        }));
        // Deletions last: deleting the thing the others use would send them all to the same 404 or 409.
        ops.sort(Comparator.comparing((Operation o) -> o.method.equals("DELETE")));
        if (ops.isEmpty()) {
            throw new IllegalStateException("no operation of the OpenAPI document to walk");
        }
        return ops;
    }

    /**
     * A body close enough to valid that a hostile field is judged where it is used: plausible values for the other
     * fields, a nested object only along the path to the field under test (or, elsewhere, with its first field only:
     * "exactly one of" targets stay valid).
     */
    private JsonNode baselineBody(Map<String, JsonNode> given, JsonNode schema, List<String> hole, boolean all) {
        JsonNode s = resolve(schema);
        if (hole.isEmpty() && !all) {
            return JSON.getNodeFactory().textNode(HOLE);
        }
        ObjectNode object = JSON.createObjectNode();
        Iterator<Map.Entry<String, JsonNode>> properties = s.path("properties").fields();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> property = properties.next();
            String field = property.getKey();
            if (!hole.isEmpty() && hole.get(0).equals(field)) {
                object.set(field, baselineBody(given, property.getValue(), hole.subList(1, hole.size()), false));
            } else if (hole.isEmpty() || all) {
                JsonNode value = given.containsKey(field) ? given.get(field) : plausible(given, property.getValue());
                if (!value.isMissingNode()) {
                    object.set(field, value);
                }
                if (!all) {
                    break;
                }
            }
        }
        return object;
    }

    private JsonNode plausible(Map<String, JsonNode> given, JsonNode schema) {
        JsonNode s = resolve(schema);
        if (s.has("enum")) {
            return s.get("enum").get(0);
        }
        return switch (s.path("type").asText()) {
            case "string" -> JSON.getNodeFactory().textNode("x");
            case "integer", "number" -> JSON.getNodeFactory().numberNode(1);
            case "boolean" -> JSON.getNodeFactory().booleanNode(false);
            case "array" -> {
                ArrayNode array = JSON.createArrayNode();
                JsonNode item = resolve(s.path("items"));
                yield item.path("type").asText().equals("string") ? array.add("x") : array;
            }
            default -> isJsonNode(schema) || !s.has("properties") ? JSON.createObjectNode()
                    : baselineBody(given, schema, List.of(), false);
        };
    }

    /** Every field path of a body schema: its properties, and theirs where a property is itself an object. */
    private List<List<String>> fields(JsonNode schema, List<String> prefix) {
        List<List<String>> fields = new ArrayList<>();
        resolve(schema).path("properties").fields().forEachRemaining(p -> {
            List<String> field = new ArrayList<>(prefix);
            field.add(p.getKey());
            fields.add(field);
            JsonNode s = resolve(p.getValue());
            if (!isJsonNode(p.getValue()) && s.has("properties") && prefix.size() < 3) {
                fields.addAll(fields(p.getValue(), field));
            }
        });
        return fields;
    }

    private static boolean isJsonNode(JsonNode schema) {
        return schema.path("$ref").asText().endsWith("/JsonNode");
    }

    private JsonNode resolve(JsonNode schema) {
        JsonNode s = schema;
        for (int i = 0; i < 10 && s.has("$ref"); i++) {
            s = api.at(s.get("$ref").asText().substring(1));
        }
        if (s.has("allOf") && s.get("allOf").size() == 1) {
            return resolve(s.get("allOf").get(0));
        }
        return s;
    }

    private void check(Operation op, Map<String, String> values, byte[] body) throws InterruptedException {
        URI uri = op.uri(values);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + target.bearerToken())
                .method(op.method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        sent++;
        HttpResponse<String> answer;
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException first) {
            // Once more: the client may have picked a pooled connection the server was just closing.
            try {
                answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                finding(op, uri, body, "no answer: " + e);
                return;
            }
        }
        int status = answer.statusCode();
        statuses.merge(status, 1, Integer::sum);
        String problem = status < 400 ? null : errorShapeProblem(answer);
        if (problem == null && status >= 500 && !target.tolerated(op.path, status, errorCode(answer))) {
            problem = "a " + status;
        }
        if (problem == null) {
            problem = undocumented(op, uri, answer);
        }
        if (problem != null) {
            finding(op, uri, body, problem + " " + abbreviate(answer.body()));
        }
    }

    /** What the OpenAPI response validator says of an answer /q/openapi does not describe, or null. */
    private static String undocumented(Operation op, URI uri, HttpResponse<String> answer) {
        ValidationReport report = OpenApiResponseValidation.check(uri, op.method, answer.statusCode(),
                answer.headers().map(), answer.body());
        if (!report.hasErrors()) {
            return null;
        }
        List<String> messages = report.getMessages().stream().map(ValidationReport.Message::getMessage).toList();
        return answer.statusCode() + " not as /q/openapi documents it: " + abbreviate(String.join("; ", messages));
    }

    /** What is wrong with an error answer's body, or null: exactly status, error, message and maybe violations. */
    private static String errorShapeProblem(HttpResponse<String> answer) {
        if (!answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            return answer.statusCode() + " without a JSON body";
        }
        JsonNode error;
        try {
            error = JSON.readTree(answer.body());
        } catch (IOException e) {
            return answer.statusCode() + " with a body that is not JSON";
        }
        if (error == null || !error.isObject()) {
            return answer.statusCode() + " with a body that is not an object";
        }
        List<String> keys = new ArrayList<>();
        error.fieldNames().forEachRemaining(keys::add);
        boolean shaped = ERROR_KEYS.containsAll(keys) && error.path("status").isInt()
                && error.get("status").asInt() == answer.statusCode()
                && error.path("error").isTextual() && ERROR_CODE.matcher(error.get("error").asText()).matches()
                && error.path("message").isTextual() && !error.get("message").asText().isBlank();
        JsonNode violations = error.path("violations");
        if (!violations.isMissingNode()) {
            shaped &= violations.isArray() && !violations.isEmpty();
            for (JsonNode v : violations) {
                List<String> vKeys = new ArrayList<>();
                v.fieldNames().forEachRemaining(vKeys::add);
                shaped &= Set.of("field", "message").equals(Set.copyOf(vKeys)) && v.get("field").isTextual()
                        && v.get("message").isTextual();
            }
        }
        String text = answer.body();
        shaped &= !text.contains("Exception") && !text.contains("\tat ");
        return shaped ? null : answer.statusCode() + " with a body outside the error shape";
    }

    private static String errorCode(HttpResponse<String> answer) {
        try {
            return JSON.readTree(answer.body()).path("error").asText();
        } catch (IOException e) {
            return "";
        }
    }

    private void finding(Operation op, URI uri, byte[] body, String problem) {
        findings.add(op.method + " " + abbreviate(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?"
                + uri.getRawQuery())) + (body == null ? "" : " " + abbreviate(new String(body, StandardCharsets.UTF_8)))
                + " -> " + problem);
    }

    private static String randomText(Random random) {
        String palette = "aZ09-_.:/\\%\"'{}[]<>?&=+ \t\n\0\u0001\u007f\u00e9\u2028\uFFFD\uD83D\uDE00\uD800";
        int length = random.nextInt(4) == 0 ? random.nextInt(3_000) : random.nextInt(40);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(palette.charAt(random.nextInt(palette.length())));
        }
        return switch (random.nextInt(3)) {
            case 0 -> Long.toString(random.nextLong());
            case 1 -> Double.toString(random.nextGaussian() * Math.pow(10, random.nextInt(600) - 300));
            default -> text.toString();
        };
    }

    private static String randomJson(Random random) {
        String text = randomText(random);
        return switch (random.nextInt(4)) {
            case 0 -> text.matches("-?[0-9.E]+") ? text : JSON.getNodeFactory().textNode(text).toString();
            case 1 -> JSON.createArrayNode().add(text).add(random.nextLong()).toString();
            case 2 -> JSON.createObjectNode().put(text, text).toString();
            default -> JSON.getNodeFactory().textNode(text).toString();
        };
    }

    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        return text.length() <= 160 ? text : text.substring(0, 160) + "...(" + text.length() + " chars)";
    }
}
