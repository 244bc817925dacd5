package io.omnii.server.enrollment;

import static io.omnii.server.testsupport.Api.admin;
import static io.omnii.server.testsupport.ScopedFleet.JONES;
import static io.omnii.server.testsupport.ScopedFleet.JONES_TAG;
import static io.omnii.server.testsupport.ScopedFleet.SMITH;
import static io.omnii.server.testsupport.ScopedFleet.SMITH_TAG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;

import io.omnii.server.audit.Actor;
import io.omnii.server.auth.Scope;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Page;
import io.omnii.server.enrollment.EnrollmentPayloads.CodeView;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.ScopedFleet;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A code made under a scope tags what it enrolls; each scope lists and revokes only its own codes. */
@QuarkusTest
class ScopedEnrollmentCodesTest extends ServerTest {

    private static final Page.PageRequest FIRST = new Page.PageRequest(0, 50);

    @Inject
    EnrollmentService enrollment;

    @Inject
    ScopedFleet fleet;

    @Test
    void anInstanceEnrolledWithAScopedCodeCarriesTheScopesTags() {
        String smith = fleet.enroll(SMITH, "Smith house");
        String both = fleet.enroll(Scope.of(Set.of(SMITH_TAG, JONES_TAG)), "Shared cabin");
        String untagged = Api.enrollInstance("Server room");

        admin().get("/instances/" + smith).then().statusCode(200).body("tags", contains(SMITH_TAG));
        admin().get("/instances/" + both).then().statusCode(200).body("tags", contains(JONES_TAG, SMITH_TAG));
        admin().get("/instances/" + untagged).then().statusCode(200).body("tags", empty());
    }

    @Test
    void eachScopeListsOnlyTheCodesMadeUnderItAndTheUnscopedListsAll() {
        UUID smith = enrollment.createCode(SMITH, null, null, Actor.system()).id();
        UUID jones = enrollment.createCode(JONES, null, null, Actor.system()).id();
        UUID unscoped = enrollment.createCode(Scope.ALL, null, null, Actor.system()).id();

        Page<CodeView> smiths = enrollment.listCodes(SMITH, FIRST);
        assertThat(smiths.items()).extracting(CodeView::id).containsExactly(smith);
        assertThat(smiths.items().get(0).tags()).containsExactly(SMITH_TAG);
        assertThat(smiths.total()).isEqualTo(1);
        assertThat(enrollment.listCodes(JONES, FIRST).items()).extracting(CodeView::id).containsExactly(jones);
        assertThat(enrollment.listCodes(Scope.ALL, FIRST).items()).extracting(CodeView::id)
                .containsExactly(unscoped, jones, smith);
        admin().get("/enrollment-codes").then().statusCode(200)
                .body("items.tags", contains(List.of(), List.of(JONES_TAG), List.of(SMITH_TAG)));
    }

    @Test
    void anotherScopesCodeCannotBeRevokedAndStaysActive() {
        UUID smith = enrollment.createCode(SMITH, null, null, Actor.system()).id();

        assertThatThrownBy(() -> enrollment.revoke(JONES, smith, Actor.system())).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.toError().status()).isEqualTo(404));
        assertThat(db.count("SELECT count(*) FROM enrollment_code WHERE revoked_at IS NULL AND id = '" + smith + "'"))
                .isEqualTo(1);

        enrollment.revoke(SMITH, smith, Actor.system());
        assertThat(db.count("SELECT count(*) FROM enrollment_code WHERE revoked_at IS NOT NULL AND id = '" + smith
                + "'")).isEqualTo(1);
    }
    @Test
    void aCodeUnderAScopeOfSeveralTagsCarriesOnlyTheTagsNamed() {
        Scope both = Scope.of(Set.of(SMITH_TAG, JONES_TAG));
        String code = enrollment.createCode(both, List.of(SMITH_TAG), null, Actor.system()).code();
        String instance = io.restassured.RestAssured.given().contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("code", code, "name", "Smith house")).post("/enroll").then().statusCode(200)
                .extract().path("instanceId");

        admin().get("/instances/" + instance).then().statusCode(200).body("tags", contains(SMITH_TAG));
    }

    @Test
    void aScopedCodeNeedsTagsFromItsScopeUnlessTheScopeHasOne() {
        Scope both = Scope.of(Set.of(SMITH_TAG, JONES_TAG));
        assertThat(EnrollmentService.codeTags(SMITH, null)).containsExactly(SMITH_TAG);
        assertThat(EnrollmentService.codeTags(Scope.ALL, null)).isEmpty();
        assertThat(EnrollmentService.codeTags(Scope.ALL, List.of("site:lab", "site:lab"))).containsExactly("site:lab");
        for (List<String> refused : java.util.Arrays.asList(null, List.<String>of(), List.of(SMITH_TAG, "customer:x"))) {
            assertThatThrownBy(() -> enrollment.createCode(both, refused, null, Actor.system()))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.toError().status()).isEqualTo(400);
                        assertThat(e.toError().violations()).extracting(v -> v.field()).containsExactly("tags");
                    });
        }
        assertThatThrownBy(() -> enrollment.createCode(SMITH, List.of(JONES_TAG), null, Actor.system()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.toError().status()).isEqualTo(400));
        assertThat(db.count("SELECT count(*) FROM enrollment_code")).isZero();
    }

    @Test
    void postEnrollmentCodesTakesTagsAndRefusesTheWrongOnesNamingTags() {
        String several = People.token("two-customers", "operator", SMITH_TAG, JONES_TAG);
        String single = People.token("one-customer", "operator", SMITH_TAG);

        People.bearer(several).body("{}").post("/enrollment-codes").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.equalTo("validation_failed"))
                .body("violations.field", contains("tags"));
        People.bearer(several).body(java.util.Map.of("tags", List.of("customer:other"))).post("/enrollment-codes")
                .then().statusCode(400).body("violations.field", contains("tags"));
        People.bearer(several).body(java.util.Map.of("tags", List.of("not a tag!"))).post("/enrollment-codes")
                .then().statusCode(400).body("error", org.hamcrest.Matchers.equalTo("validation_failed"));
        People.bearer(several).body(java.util.Map.of("tags", List.of(JONES_TAG))).post("/enrollment-codes").then()
                .statusCode(201);
        People.bearer(single).body("{}").post("/enrollment-codes").then().statusCode(201);
        admin().body(java.util.Map.of("tags", List.of("site:lab"))).post("/enrollment-codes").then().statusCode(201);

        admin().get("/enrollment-codes").then().statusCode(200)
                .body("items.tags", org.hamcrest.Matchers.containsInAnyOrder(List.of("site:lab"), List.of(SMITH_TAG),
                        List.of(JONES_TAG)));
    }
}
