package io.omnii.server.common;

import static io.omnii.server.testsupport.Api.admin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every 4xx carries the one JSON error shape, and nothing is a 500. */
@QuarkusTest
class ErrorShapeTest extends ServerTest {

    @TestHTTPResource("/")
    URL root;

    private static void assertErrorShape(Response r, int status) {
        r.then().statusCode(status).contentType(ContentType.JSON)
                .body("status", equalTo(status))
                .body("error", notNullValue())
                .body("message", notNullValue());
        assertThat(r.asString()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{not json", "[1,2", "\"just a string\"", "42", "{\"code\": 123456, \"name\": [\"x\"]}",
            "{\"code\": \"123456\", \"name\": true}" })
    void malformedOrMistypedJsonIs400(String body) {
        assertErrorShape(given().contentType(ContentType.JSON).body(body).post("/enroll"), 400);
        assertErrorShape(admin().body(body).patch("/instances/00000000-0000-0000-0000-000000000000"), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = { "{not json", "[1,2", "\"just a string\"", "{\"expiresInHours\": {}}" })
    void malformedCodeRequestsAre400(String body) {
        assertErrorShape(admin().body(body).post("/enrollment-codes"), 400);
    }

    @Test
    void aWrongTypeNamesTheField() {
        admin().body("{\"name\": 42}").patch("/instances/00000000-0000-0000-0000-000000000000")
                .then().statusCode(400).body("violations[0].field", equalTo("name"));
    }

    @Test
    void anOversizedBodyIs413() {
        String big = "{\"code\":\"123456\",\"name\":\"" + "x".repeat(70 * 1024) + "\"}";
        assertErrorShape(given().contentType(ContentType.JSON).body(big).post("/enroll"), 413);
        // Past the framework's own 1 MiB limit too.
        String huge = "{\"code\":\"123456\",\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        assertErrorShape(given().contentType(ContentType.JSON).body(huge).post("/enroll"), 413);
    }

    @ParameterizedTest
    @ValueSource(ints = { 70 * 1024, 2 * 1024 * 1024 })
    void anOversizedChunkedBodyIs413(int size) throws Exception {
        String body = "{\"code\":\"123456\",\"name\":\"" + "x".repeat(size) + "\"}";
        assertRawErrorShape(postChunked("/enroll", body), 413, "payload_too_large");
    }

    @Test
    void aSmallChunkedBodyIsRead() throws Exception {
        String body = "{\"code\":\"000000\",\"name\":\"Chunked\"}";
        assertRawErrorShape(postChunked("/enroll", body), 400, "invalid_enrollment_code");
    }

    /** A JSON body of unknown length, so sent in chunks: no Content-Length to judge it by. */
    private HttpResponse<String> postChunked(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.getBytes()))));
    }

    @Test
    void anOverlongUriIs414() throws Exception {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(uri("/instances?name=" + "x".repeat(5000)))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN));
        assertRawErrorShape(answer, 414, "uri_too_long");
    }

    @Test
    void oversizedHeadersAre431() throws Exception {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(uri("/instances"))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN).header("X-Padding", "x".repeat(30 * 1024)));
        assertRawErrorShape(answer, 431, "headers_too_large");
    }

    private URI uri(String path) {
        return URI.create(root.toString().replaceFirst("/$", "") + path);
    }

    /** HTTP/1.1 without the upgrade dance, headers as given. */
    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRawErrorShape(HttpResponse<String> answer, int status, String error) {
        assertThat(answer.statusCode()).isEqualTo(status);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(new JsonObject(answer.body()).getMap())
                .containsOnlyKeys("status", "error", "message")
                .containsEntry("status", status)
                .containsEntry("error", error);
    }

    @Test
    void nulInAQueryParameterIs400NamingIt() {
        String id = Api.enrollInstance("Nul");
        assertNulRefused(admin().queryParam("name", "\0").get("/instances"), "name");
        assertNulRefused(admin().queryParam("tag", "north\0").get("/instances"), "tag");
        assertNulRefused(admin().queryParam("from", "\0").get("/instances/" + id + "/metrics"), "from");
    }

    @Test
    void nulInABodyIs400NamingTheField() {
        String id = Api.enrollInstance("Nul");
        assertNulRefused(admin().body("{\"command\": \"get_status\", \"payload\": {\"a\": [\"ok\", \"x\\u0000\"]}}")
                .post("/instances/" + id + "/commands"), "payload.a.1");
        assertNulRefused(admin().body("{\"command\": \"get_status\", \"payload\": {\"\\u0000\": 1}}")
                .post("/instances/" + id + "/commands"), "payload.\u0000");
        assertNulRefused(admin().body("{\"command\": \"get_status\", \"target\": {\"tags\": [\"a\\u0000\"]}}")
                .post("/commands"), "target.tags.0");
        assertNulRefused(admin().body("{\"name\": \"\\u0000\"}").patch("/instances/" + id), "name");
        // An escaped backslash before "u0000" is no NUL: the text \u0000 is kept as sent.
        admin().body("{\"command\": \"get_status\", \"payload\": {\"a\": \"\\\\u0000\"}}")
                .post("/instances/" + id + "/commands").then().statusCode(202).body("payload.a", equalTo("\\u0000"));
    }

    private static void assertNulRefused(Response r, String field) {
        assertErrorShape(r, 400);
        r.then().body("error", equalTo("validation_failed")).body("violations[0].field", equalTo(field))
                .body("violations[0].message", containsString("NUL"));
    }

    @Test
    void thousandsOfTagFiltersAre400NotAStackOverflow() {
        List<String> tags = Collections.nCopies(5_000, "north");
        Response bulk = admin().body(Map.of("command", "get_status", "target", Map.of("tags", tags))).post("/commands");
        assertErrorShape(bulk, 400);
        bulk.then().body("violations[0].field", equalTo("target.tags"));
        Response listing = admin().queryParam("tag", Collections.nCopies(600, "t")).get("/instances"); // under 4 KiB
        assertErrorShape(listing, 400);
        listing.then().body("violations[0].field", equalTo("tag"));
        admin().queryParam("tag", tags.subList(0, 32)).get("/instances").then().statusCode(200);
    }

    @ParameterizedTest
    @ValueSource(strings = { "9223372036854775807", "253402300800000", "-1" })
    void anEpochMillisecondBoundOutOfRangeIs400(String millis) {
        String id = Api.enrollInstance("Range");
        for (String bound : new String[] { "from", "to" }) {
            Response r = admin().get("/instances/" + id + "/metrics?" + bound + "=" + millis);
            assertErrorShape(r, 400);
            r.then().body("violations[0].field", equalTo(bound));
        }
        admin().get("/instances/" + id + "/metrics?from=253402300799998&to=253402300799999").then().statusCode(200)
                .body("total", equalTo(0));
    }

    @Test
    void aJsonBodyWithoutContentTypeIs415() throws Exception {
        String id = Api.enrollInstance("No type");
        assertNoTypeRefused("PATCH", "/instances/" + id, "{\"name\": \"x\"}");
        assertNoTypeRefused("POST", "/instances/" + id + "/commands", "{\"command\": \"get_status\"}");
        assertNoTypeRefused("POST", "/commands", "{\"command\": \"get_status\", \"target\": {\"status\": \"online\"}}");
        assertNoTypeRefused("POST", "/enrollment-codes", "{\"expiresInHours\": 2}");
        assertNoTypeRefused("POST", "/enroll", "{\"code\": \"123456\", \"name\": \"x\"}");
        admin().get("/instances/" + id).then().body("name", equalTo("No type"));
    }

    @Test
    void aRequestWithoutBodyNeedsNoContentType() {
        admin().noContentType().post("/enrollment-codes").then().statusCode(201).body("code", notNullValue());
    }

    /** RestAssured gives every body a Content-Type; the JDK's client sends none unless told. */
    private void assertNoTypeRefused(String method, String path, String body) throws Exception {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(uri(path))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN)
                .method(method, HttpRequest.BodyPublishers.ofString(body)));
        assertRawErrorShape(answer, 415, "unsupported_media_type");
        assertThat(new JsonObject(answer.body()).getString("message"))
                .isEqualTo("The body must be sent as application/json");
    }

    @Test
    void anEmptyEnrollBodyIs400() {
        assertErrorShape(given().contentType(ContentType.JSON).post("/enroll"), 400);
    }

    @Test
    void aWrongMediaTypeIs415() {
        assertErrorShape(given().contentType(ContentType.TEXT).body("code=1").post("/enroll"), 415);
    }

    @Test
    void aWrongMethodIs405() {
        assertErrorShape(given().get("/enroll"), 405);
    }

    @Test
    void anUnknownPathIs404() {
        assertErrorShape(admin().get("/no-such-thing"), 404);
    }
}
