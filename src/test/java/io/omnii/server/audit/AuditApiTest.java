package io.omnii.server.audit;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import io.omnii.server.common.Page;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class AuditApiTest extends ServerTest {

    private static final Actor ALICE = new Actor(Actor.Kind.USER, "u-alice", "alice", "operator", "192.0.2.1", "r-1");
    private static final Actor BOB = new Actor(Actor.Kind.TOKEN, "t-bob", "bob", "viewer", "192.0.2.2", "r-2");
    private static final UUID SMITH_HOME = UUID.randomUUID();
    private static final UUID JONES_HOME = UUID.randomUUID();

    @Inject
    AuditLog log;

    @Inject
    AuditService service;

    @Inject
    AuditTable table;

    // Before and after: each test starts from an empty log, and none leaves a tampered chain to the next class.
    @BeforeEach
    @AfterEach
    void emptyLog() {
        table.reset();
    }

    private void record(Actor actor, AuditAction action, Target target) {
        QuarkusTransaction.requiringNew().run(() -> log.record(actor, action, target, Outcome.SUCCESS,
                Map.of("n", 1)));
    }

    /** Six entries: alice on the Smith home, bob on the Jones home, a code, and two a day later. */
    private Instant recordSix() {
        record(ALICE, AuditAction.INSTANCE_UPDATE, Target.instance(SMITH_HOME, List.of("customer:smith")));
        record(BOB, AuditAction.COMMAND_SEND, Target.command(UUID.randomUUID(), List.of("customer:jones")));
        record(ALICE, AuditAction.ENROLLMENT_CODE_CREATE, Target.enrollmentCode(UUID.randomUUID(), List.of()));
        record(BOB, AuditAction.INSTANCE_UPDATE, Target.instance(JONES_HOME, List.of("customer:jones")));
        clock.advance(Duration.ofDays(1));
        Instant later = clock.instant().minusSeconds(1);
        record(ALICE, AuditAction.INSTANCE_DECOMMISSION, Target.instance(SMITH_HOME, List.of("customer:smith")));
        record(BOB, AuditAction.INSTANCE_UPDATE, Target.instance(SMITH_HOME, List.of("customer:smith")));
        return later;
    }

    private List<Integer> seqs(Map<String, Object> query) {
        return admin().queryParams(query).get("/audit").then().statusCode(200).extract().path("items.seq");
    }

    @Test
    void listingShowsEveryFieldNewestFirst() {
        recordSix();
        admin().get("/audit").then().statusCode(200)
                .body("total", equalTo(6)).body("items.seq", equalTo(List.of(6, 5, 4, 3, 2, 1)))
                .body("items[5].actor.kind", equalTo("user")).body("items[5].actor.id", equalTo("u-alice"))
                .body("items[5].actor.name", equalTo("alice")).body("items[5].actor.role", equalTo("operator"))
                .body("items[5].actor.address", equalTo("192.0.2.1"))
                .body("items[5].actor.requestId", equalTo("r-1"))
                .body("items[5].action", equalTo("instance.update"))
                .body("items[5].target.type", equalTo("instance"))
                .body("items[5].target.id", equalTo(SMITH_HOME.toString()))
                .body("items[5].target.tags", equalTo(List.of("customer:smith")))
                .body("items[5].outcome", equalTo("success")).body("items[5].detail.n", equalTo(1))
                .body("items[5].prevHash", equalTo("0".repeat(64)))
                .body("items[4].prevHash", equalTo(admin().get("/audit").then().extract().path("items[5].hash")))
                .body("next", nullValue());
    }

    @Test
    void listingFiltersByActorActionTargetAndTime() {
        Instant later = recordSix();
        assertThat(seqs(Map.of("actor", "alice"))).containsExactly(5, 3, 1);
        assertThat(seqs(Map.of("action", "instance.update"))).containsExactly(6, 4, 1);
        assertThat(seqs(Map.of("targetType", "instance", "targetId", SMITH_HOME.toString()))).containsExactly(6, 5, 1);
        assertThat(seqs(Map.of("targetType", "enrollment_code"))).containsExactly(3);
        assertThat(seqs(Map.of("from", later.toString()))).containsExactly(6, 5);
        assertThat(seqs(Map.of("to", later.toString()))).containsExactly(4, 3, 2, 1);
        assertThat(seqs(Map.of("actor", "bob", "action", "instance.update", "from", later.toString())))
                .containsExactly(6);
        assertThat(seqs(Map.of("actor", "carol"))).isEmpty();
    }

    @Test
    void cursorPagesThroughEveryEntryOnce() {
        recordSix();
        List<Integer> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = cursor == null ? admin().queryParam("size", 2)
                    : admin().queryParam("size", 2).queryParam("cursor", cursor);
            ValidatableResponse page = request.get("/audit").then().statusCode(200).body("total", equalTo(6));
            seen.addAll(page.extract().path("items.seq"));
            cursor = page.extract().path("next");
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(seen).containsExactly(6, 5, 4, 3, 2, 1);
        assertThat(pages).isEqualTo(3);
        assertThat(seqs(Map.of("page", 1, "size", 4))).containsExactly(2, 1);
    }

    @Test
    void aScopedReaderSeesABulkCommandOnlyWhenEveryInstanceItReachedIsWithinItsScope() {
        List<String> homes = new ArrayList<>();
        for (String tag : List.of("customer:smith", "customer:jones")) {
            homes.add(Api.enrollInstance("Home of " + tag));
            admin().body(Map.of("tags", List.of(tag))).patch("/instances/" + homes.get(homes.size() - 1)).then()
                    .statusCode(200);
        }
        String smithOperator = People.token("smith-operator", "operator", "customer:smith");
        String smithReader = People.token("smith-reader", "viewer", "customer:smith");
        String jonesReader = People.token("jones-reader", "viewer", "customer:jones");
        String bothReader = People.token("both-reader", "viewer", "customer:smith", "customer:jones");
        String everyone = admin().body(Map.of("command", "check_updates", "target", Map.of("instanceIds", homes)))
                .post("/commands").then().statusCode(202).extract().path("batchId");
        String smiths = People.bearer(smithOperator).body(Map.of("command", "check_updates", "target",
                Map.of("instanceIds", homes.subList(0, 1)))).post("/commands").then().statusCode(202).extract()
                .path("batchId");

        People.bearer(smithReader).get("/audit?action=command.bulk_send").then().statusCode(200)
                .body("items.target.id", contains(smiths));
        People.bearer(jonesReader).get("/audit?action=command.bulk_send").then().statusCode(200)
                .body("items", empty());
        People.bearer(bothReader).get("/audit?action=command.bulk_send").then().statusCode(200)
                .body("items.target.id", contains(smiths, everyone));
        // The instance entries still show by overlap.
        People.bearer(jonesReader).get("/audit?action=instance.update").then().statusCode(200)
                .body("items.target.tags", contains(List.of("customer:jones")));
    }

    @Test
    void aScopedReaderSeesTheEntriesOfItsTagsAndItsOwn() {
        recordSix();
        Page.PageRequest all = new Page.PageRequest(0, 50);
        assertThat(service.list(AuditQuery.ALL, Set.of("customer:smith"), Optional.empty(), Optional.empty(), all)
                .items()).extracting(AuditEntryView::seq).containsExactly(6L, 5L, 1L);
        assertThat(service.list(AuditQuery.ALL, Set.of("customer:jones"), Optional.of(ALICE), Optional.empty(), all)
                .items()).extracting(AuditEntryView::seq).containsExactly(5L, 4L, 3L, 2L, 1L);
        assertThat(service.list(AuditQuery.ALL, Set.of("customer:smith"), Optional.empty(), Optional.empty(), all)
                .total()).isEqualTo(3);
        assertThat(service.list(AuditQuery.ALL, Set.of(), Optional.empty(), Optional.empty(), all).total())
                .isEqualTo(6);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "action     | instance.explode",
            "action     | auth.access_denied",
            "targetType | planet",
            "from       | yesterday",
            "from       | 2026-01-01",
            "to         | +10000-01-01T00:00:00Z",
            "to         | 2026-01-01T00:00:00",
            "cursor     | bm90LWEtY3Vyc29y",
            "cursor     | MA",
            "cursor     | %%%",
            "size       | 0",
            "size       | 501",
            "page       | -1" })
    void aHostileFilterIsRefusedWithTheFieldNamed(String field, String value) {
        admin().queryParam(field, value).get("/audit").then().statusCode(400)
                .body("error", equalTo("validation_failed")).body("violations.field", hasItem(field));
    }

    @Test
    void overlongFiltersTimesOutOfOrderAndACursorWithAPageAreRefused() {
        admin().queryParam("actor", "a".repeat(257)).get("/audit").then().statusCode(400)
                .body("violations.field", hasItem("actor"));
        admin().queryParam("targetId", "a".repeat(257)).get("/audit").then().statusCode(400)
                .body("violations.field", hasItem("targetId"));
        admin().queryParam("from", "2026-02-01T00:00:00Z").queryParam("to", "2026-01-01T00:00:00Z").get("/audit")
                .then().statusCode(400).body("violations.field", hasItem("from"));
        recordSix();
        String next = admin().queryParam("size", 2).get("/audit").then().extract().path("next");
        admin().queryParam("cursor", next).queryParam("page", 1).get("/audit").then().statusCode(400)
                .body("violations.field", hasItem("page"));
    }

    @Test
    void verifyAnswersWhetherTheChainHoldsAndWhereItBreaks() {
        recordSix();
        admin().get("/audit/verify").then().statusCode(200).body("ok", equalTo(true)).body("entries", equalTo(6))
                .body("firstSeq", equalTo(1)).body("lastSeq", equalTo(6)).body("brokenAt", nullValue())
                .body("headHash", equalTo(admin().get("/audit").then().extract().path("items[0].hash")));
        table.tamper("UPDATE audit_entry SET target_tags = '{customer:jones}' WHERE seq = 5");
        admin().get("/audit/verify").then().statusCode(200).body("ok", equalTo(false))
                .body("brokenAt.seq", equalTo(5)).body("brokenAt.reason", equalTo("content_changed"));
    }
}
