package io.omnii.server.fleet;

import static io.omnii.server.testsupport.Api.admin;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** GET /instances by cursor (keyset): every instance once, in enrollment order, however the pages fall. */
@QuarkusTest
class InstanceCursorTest extends ServerTest {

    private static final String SOME_ID = "5d1e6f3a-8b7c-4e2d-a1f0-9c8b7a6d5e4f";

    @Test
    void walkingByCursorVisitsEveryInstanceOnceInEnrollmentOrder() {
        List<String> enrolled = enroll(7);
        for (int size : new int[] { 1, 2, 3, 7, 8 }) {
            assertThat(walk(Map.of(), size)).as("pages of %d", size).containsExactlyElementsOf(enrolled);
        }
    }

    @Test
    void walkingByCursorKeepsTheFilters() {
        List<String> enrolled = enroll(8);
        List<String> north = List.of(enrolled.get(1), enrolled.get(2), enrolled.get(5), enrolled.get(7));
        north.forEach(id -> admin().body(Map.of("tags", List.of("north"))).patch("/instances/" + id)
                .then().statusCode(200));
        admin().body(Map.of("name", "Cabin")).patch("/instances/" + enrolled.get(5)).then().statusCode(200);
        admin().delete("/instances/" + enrolled.get(3)).then().statusCode(204);
        admin().delete("/instances/" + enrolled.get(6)).then().statusCode(204);

        assertThat(walk(Map.of("tag", "north"), 3)).containsExactlyElementsOf(north);
        assertThat(walk(Map.of("tag", "north", "name", "home"), 1))
                .containsExactly(enrolled.get(1), enrolled.get(2), enrolled.get(7));
        assertThat(walk(Map.of("status", "decommissioned"), 1)).containsExactly(enrolled.get(3), enrolled.get(6));
        assertThat(walk(Map.of(), 2)).containsExactly(enrolled.get(0), enrolled.get(1), enrolled.get(2),
                enrolled.get(4), enrolled.get(5), enrolled.get(7));
    }

    @Test
    void instancesEnrolledAtTheSameTimeAreNeitherSkippedNorRepeated() {
        List<String> enrolled = enroll(7);
        // Five share one microsecond; two more differ from it by a microsecond only, either side.
        db.execute("UPDATE instance SET enrolled_at = '2024-01-01T00:00:00.123456Z'");
        db.execute("UPDATE instance SET enrolled_at = '2024-01-01T00:00:00.123455Z' WHERE id = '" + enrolled.get(6)
                + "'");
        db.execute("UPDATE instance SET enrolled_at = '2024-01-01T00:00:00.123457Z' WHERE id = '" + enrolled.get(0)
                + "'");
        List<String> order = admin().queryParam("size", 500).get("/instances").then().statusCode(200)
                .extract().path("items.id");
        assertThat(order).containsExactlyInAnyOrderElementsOf(enrolled)
                .startsWith(enrolled.get(6)).endsWith(enrolled.get(0));

        for (int size : new int[] { 1, 2, 3, 4 }) {
            assertThat(walk(Map.of(), size)).as("pages of %d", size).containsExactlyElementsOf(order);
        }
    }

    @Test
    void everyOffsetPageCarriesTheCursorOfTheFollowingPage() {
        List<String> enrolled = enroll(5);
        for (int page = 0; page < 2; page++) {
            String next = admin().queryParam("page", page).queryParam("size", 2).get("/instances")
                    .then().statusCode(200).body("page", equalTo(page)).extract().path("next");
            admin().queryParam("cursor", next).queryParam("size", 2).get("/instances").then().statusCode(200)
                    .body("page", nullValue()).body("total", equalTo(5))
                    .body("items.id", equalTo(enrolled.subList(2 * page + 2, Math.min(2 * page + 4, 5))));
        }
        admin().queryParam("page", 2).queryParam("size", 2).get("/instances").then().statusCode(200)
                .body("items.id", equalTo(enrolled.subList(4, 5))).body("$", not(hasKey("next")));
        admin().queryParam("page", 3).queryParam("size", 2).get("/instances").then().statusCode(200)
                .body("$", not(hasKey("next")));
    }

    static Stream<String> malformedCursors() {
        String good = "1704067200123456." + SOME_ID;
        Stream<String> wire = Stream.of("nonsense!", Base64.getUrlEncoder().encodeToString(good.getBytes(UTF_8)));
        Stream<String> text = Stream.of("-1." + SOME_ID, "01704067200123456." + SOME_ID, good.toUpperCase(),
                "1704067200123456", "1704067200123456." + SOME_ID + "0", "1704067200123456:" + SOME_ID,
                "999999999999999999." + SOME_ID);
        return Stream.concat(wire, text.map(InstanceCursorTest::base64url));
    }

    @ParameterizedTest
    @MethodSource("malformedCursors")
    void malformedCursorIsRejectedWithTheJsonError(String cursor) {
        admin().queryParam("cursor", cursor).get("/instances").then().statusCode(400)
                .contentType("application/json")
                .body("status", equalTo(400)).body("error", equalTo("validation_failed"))
                .body("violations.field", hasItem("cursor"));
    }

    @Test
    void wellFormedCursorIsAccepted() {
        admin().queryParam("cursor", base64url("1704067200123456." + SOME_ID)).get("/instances").then()
                .statusCode(200);
    }

    @Test
    void pageTogetherWithCursorIsRejected() {
        enroll(3);
        String next = admin().queryParam("size", 1).get("/instances").then().extract().path("next");
        admin().queryParam("page", 1).queryParam("cursor", next).get("/instances").then().statusCode(400)
                .contentType("application/json")
                .body("error", equalTo("validation_failed")).body("violations.field", hasItem("page"));
    }

    /** Enrolls instances a second apart, so their enrollment order is the order of this list. */
    private List<String> enroll(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(Api.enrollInstance("Home " + i));
            clock.advance(Duration.ofSeconds(1));
        }
        return ids;
    }

    /** Follows {@code next} from the first page to the last, checking each page's shape on the way. */
    private List<String> walk(Map<String, String> filters, int size) {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int total;
        do {
            var request = admin().queryParams(filters).queryParam("size", size);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/instances").then().statusCode(200).body("size", equalTo(size))
                    .extract().jsonPath();
            List<String> ids = page.getList("items.id");
            cursor = page.getString("next");
            total = page.getInt("total");
            assertThat(page.getMap("$")).as("cursor pages count no page number")
                    .containsEntry("page", seen.isEmpty() ? 0 : null);
            if (cursor != null) {
                assertThat(ids).hasSize(size);
            } else {
                assertThat(page.getMap("$")).as("the last page").doesNotContainKey("next");
                assertThat(ids).hasSizeLessThanOrEqualTo(size).isNotEmpty();
            }
            seen.addAll(ids);
        } while (cursor != null);
        assertThat(seen).as("the total").hasSize(total);
        return seen;
    }

    private static String base64url(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(UTF_8));
    }
}
