package io.omnii.server.fleet;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class InstanceApiTest extends ServerTest {

    @Test
    void listingPagesThroughAllInstancesInEnrollmentOrder() {
        List<String> enrolled = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            enrolled.add(Api.enrollInstance("Home " + i));
        }
        List<String> seen = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            List<String> ids = admin().queryParam("page", page).queryParam("size", 2).get("/instances")
                    .then().statusCode(200)
                    .body("total", equalTo(5)).body("page", equalTo(page)).body("size", equalTo(2))
                    .extract().path("items.id");
            assertThat(ids).hasSize(page < 2 ? 2 : 1);
            seen.addAll(ids);
        }
        assertThat(seen).containsExactlyElementsOf(enrolled);
        admin().queryParam("page", 3).queryParam("size", 2).get("/instances").then().body("items", empty());
    }

    @Test
    void listingFiltersByNameTagAndStatus() {
        String kitchen = Api.enrollInstance("Kitchen Pi");
        String cabin = Api.enrollInstance("Cabin");
        String lab = Api.enrollInstance("100%_lab");
        admin().body(Map.of("tags", List.of("north", "beta"))).patch("/instances/" + kitchen).then().statusCode(200);
        admin().body(Map.of("tags", List.of("north"))).patch("/instances/" + cabin).then().statusCode(200);

        admin().queryParam("name", "kitchen").get("/instances").then().body("items.id", contains(kitchen));
        admin().queryParam("name", "%_").get("/instances").then().body("items.id", contains(lab));
        admin().queryParam("tag", "north").get("/instances").then().body("items.id", contains(kitchen, cabin));
        admin().queryParam("tag", "north").queryParam("tag", "beta").get("/instances")
                .then().body("items.id", contains(kitchen));
        admin().queryParam("tag", "north").queryParam("name", "cab").get("/instances")
                .then().body("items.id", contains(cabin));
        admin().queryParam("status", "offline").get("/instances").then().body("total", equalTo(3));
        admin().queryParam("status", "online").get("/instances").then().body("total", equalTo(0));
    }

    @ParameterizedTest
    @CsvSource({ "status, asleep", "size, 0", "size, 501", "page, -1", "page, 4294968", "size, many" })
    void badListingParametersAreRejected(String parameter, String value) {
        admin().queryParam(parameter, value).get("/instances").then().statusCode(400)
                .body("status", equalTo(400)).body("error", notNullValue());
    }

    @Test
    void patchRenamesAndRetags() {
        String id = Api.enrollInstance("Old name");
        admin().body(Map.of("name", "New name", "tags", List.of("a", "b", "a"))).patch("/instances/" + id)
                .then().statusCode(200).body("name", equalTo("New name")).body("tags", contains("a", "b"));
        // Absent fields are left alone.
        admin().body(Map.of("tags", List.of("c"))).patch("/instances/" + id)
                .then().statusCode(200).body("name", equalTo("New name")).body("tags", contains("c"));
        admin().get("/instances/" + id).then().body("name", equalTo("New name")).body("tags", contains("c"));
    }

    @Test
    void patchWithBadFieldsChangesNothing() {
        String id = Api.enrollInstance("Keep me");
        admin().body(Map.of("name", "", "tags", List.of("has space"))).patch("/instances/" + id)
                .then().statusCode(400)
                .body("violations.field", hasItem("name"))
                .body("violations.field", hasItem("tags"));
        admin().body("{\"tags\": \"not-a-list\"}").patch("/instances/" + id).then().statusCode(400);
        admin().get("/instances/" + id).then().body("name", equalTo("Keep me")).body("tags", empty());
    }

    @Test
    void unknownInstancesAre404() {
        admin().get("/instances/00000000-0000-0000-0000-000000000000").then().statusCode(404)
                .body("error", equalTo("not_found"));
        admin().get("/instances/nope").then().statusCode(404).body("error", equalTo("not_found"));
        admin().body(Map.of("name", "x")).patch("/instances/00000000-0000-0000-0000-000000000000")
                .then().statusCode(404);
        admin().delete("/instances/00000000-0000-0000-0000-000000000000").then().statusCode(404);
    }

    @Test
    void decommissionedInstancesLeaveTheListingAndCannotChange() {
        String gone = Api.enrollInstance("Retired");
        String kept = Api.enrollInstance("Active");
        admin().delete("/instances/" + gone).then().statusCode(204);
        admin().delete("/instances/" + gone).then().statusCode(204);

        admin().get("/instances").then().body("items.id", contains(kept)).body("total", equalTo(1));
        admin().queryParam("status", "decommissioned").get("/instances").then().body("items.id", contains(gone));
        admin().get("/instances/" + gone).then().statusCode(200)
                .body("status", equalTo("decommissioned"))
                .body("decommissionedAt", notNullValue());
        admin().body(Map.of("name", "Back from the dead")).patch("/instances/" + gone)
                .then().statusCode(409).body("error", equalTo("instance_decommissioned"));
    }
}
