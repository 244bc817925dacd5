package io.omnii.server.command;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.PeriodicJobRows;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class CommandTest extends ServerTest {

    @Inject
    Vertx vertx;

    @Inject
    CommandDispatcher dispatcher;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    private FakeInstance online(String id) throws Exception {
        FakeInstance instance = FakeInstance.connect(vertx, mqttPort, id);
        instance.subscribeToCommands();
        instance.heartbeat(clock.millis());
        awaitInstance(id, "online");
        return instance;
    }

    private static void awaitInstance(String id, String status) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                admin().get("/instances/" + id).then().body("status", equalTo(status)));
    }

    private static void awaitCommand(String commandId, String state) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                admin().get("/commands/" + commandId).then().body("state", equalTo(state)));
    }

    private static String send(String instanceId, String body) {
        return admin().body(body).post("/instances/" + instanceId + "/commands")
                .then().statusCode(202).body("state", equalTo("queued")).extract().path("id");
    }

    @Inject
    MeterRegistry registry;

    private double finished(String command, String state) {
        return registry.find("omnii.commands").tag("command", command).tag("state", state).counter().count();
    }

    @Test
    void aCommandReachesItsInstanceAndGetStatusIsCompletedByTheNextStatus() throws Exception {
        double completedBefore = finished("get_status", "completed");
        String id = Api.enrollInstance("Kitchen");
        try (FakeInstance instance = online(id)) {
            String commandId = send(id, "{\"command\": \"get_status\"}");
            JsonObject message = instance.nextCommand(10);
            assertThat(message).isNotNull();
            assertThat(message.getString("command")).isEqualTo("get_status");
            assertThat(message.getJsonObject("payload")).isEqualTo(new JsonObject());
            assertThat(message.getString("commandId")).isEqualTo(commandId);
            assertThat(message.getLong("issuedAt")).isBetween(clock.millis() - 10_000, clock.millis());
            awaitCommand(commandId, "sent");

            instance.status("online", "2024.2.0", clock.millis());
            awaitCommand(commandId, "completed");
            admin().get("/commands/" + commandId).then().body("sentAt", notNullValue()).body("completedAt", notNullValue());
            assertThat(finished("get_status", "completed")).isEqualTo(completedBefore + 1);
        }
    }

    @Test
    void updateCarriesItsPayloadAndEndsAtSent() throws Exception {
        String id = Api.enrollInstance("Garage");
        try (FakeInstance instance = online(id)) {
            String commandId = send(id, "{\"command\": \"update\", \"payload\": {\"entity_id\": \"update.core\"}}");
            JsonObject message = instance.nextCommand(10);
            assertThat(message.getJsonObject("payload").getString("entity_id")).isEqualTo("update.core");
            awaitCommand(commandId, "sent");
            instance.status("online", "x", clock.millis());
            // No answer is defined for update: it stays sent.
            dispatcher.sweep();
            admin().get("/commands/" + commandId).then().body("state", equalTo("sent"));
        }
    }

    @Test
    void aCommandForAnOfflineInstanceWaitsUntilItComesOnline() throws Exception {
        String id = Api.enrollInstance("Cabin");
        String commandId = send(id, "{\"command\": \"restart\"}");
        dispatcher.sweep();
        admin().get("/commands/" + commandId).then().body("state", equalTo("queued"));
        try (FakeInstance instance = online(id)) {
            JsonObject message = instance.nextCommand(10);
            assertThat(message).isNotNull();
            assertThat(message.getString("command")).isEqualTo("restart");
            awaitCommand(commandId, "sent");
        }
    }

    @Test
    void aQueuedCommandExpires() {
        double expiredBefore = finished("check_updates", "expired");
        String id = Api.enrollInstance("Away");
        String commandId = send(id, "{\"command\": \"check_updates\", \"ttlSeconds\": 60}");
        clock.advance(Duration.ofSeconds(61));
        dispatcher.sweep();
        admin().get("/commands/" + commandId).then().body("state", equalTo("expired"));
        assertThat(finished("check_updates", "expired")).isEqualTo(expiredBefore + 1);
    }

    @Test
    void theScheduledSweepMovesCommandsOnOncePerIntervalWhicheverReplicaTicks() {
        String id = Api.enrollInstance("Away");
        PeriodicJobRows.assertRunsOncePerInterval(db, CommandDispatcher.SWEEP_JOB, () -> {
            send(id, "{\"command\": \"check_updates\", \"ttlSeconds\": 60}");
            clock.advance(Duration.ofSeconds(61));
        }, dispatcher::scheduledSweep, () -> db.count("SELECT count(*) FROM command WHERE state = 'queued'"));
    }

    @Test
    void aClaimWhoseReplicaIsGoneIsReleasedAtOnceAndALiveReplicasAfterSixtySeconds() {
        String id = Api.enrollInstance("Claimed"); // offline: a released command waits, queued
        UUID gone = UUID.randomUUID();
        UUID live = UUID.randomUUID();
        String ofGone = send(id, "{\"command\": \"restart\"}");
        String ofLive = send(id, "{\"command\": \"update\", \"payload\": {\"entity_id\": \"update.core\"}}");
        db.execute("INSERT INTO replica (incarnation, client_id, started_at, seen_at) VALUES ('" + gone
                + "', 'omnii-server-gone', clock_timestamp() - interval '1 hour', clock_timestamp() - interval '11 seconds'),"
                + " ('" + live + "', 'omnii-server-live', clock_timestamp(), clock_timestamp())");
        try {
            for (String[] claim : List.of(new String[] { ofGone, gone.toString() }, new String[] { ofLive, live.toString() })) {
                db.execute("UPDATE command SET state = 'sending', attempts = 1, claimed_by = '" + claim[1]
                        + "', updated_at = '" + clock.instant() + "' WHERE id = '" + claim[0] + "'");
            }
            dispatcher.sweep();
            admin().get("/commands/" + ofGone).then().body("state", equalTo("queued"));
            admin().get("/commands/" + ofLive).then().body("state", equalTo("sending"));

            clock.advance(Duration.ofSeconds(61));
            db.execute("UPDATE replica SET seen_at = clock_timestamp() WHERE incarnation = '" + live + "'");
            dispatcher.sweep();
            admin().get("/commands/" + ofLive).then().body("state", equalTo("queued"));
        } finally {
            db.execute("DELETE FROM replica WHERE incarnation IN ('" + gone + "', '" + live + "')");
        }
    }

    @Test
    void aLatePubackOfAReleasedClaimDoesNotMoveTheCommandAnotherReplicaClaimedSince() {
        String id = Api.enrollInstance("Reclaimed");
        String command = send(id, "{\"command\": \"restart\"}");
        UUID other = UUID.randomUUID();
        // We claimed it, were taken for gone, and another replica claimed it since and is sending it.
        db.execute("UPDATE command SET state = 'sending', attempts = 2, claimed_by = '" + other + "' WHERE id = '"
                + command + "'");
        assertThat(dispatcher.moveOn(UUID.fromString(command), "state = 'sent'", null)).isEmpty();
        assertThat(dispatcher.moveOn(UUID.fromString(command), "state = 'queued', error = :error", "late failure"))
                .isEmpty();
        admin().get("/commands/" + command).then().body("state", equalTo("sending"));
        assertThat(db.count("SELECT count(*) FROM command WHERE claimed_by = '" + other + "'")).isEqualTo(1);
    }

    @Test
    void getMetricsWithoutAnAnswerTimesOut() throws Exception {
        String id = Api.enrollInstance("Quiet");
        try (FakeInstance instance = online(id)) {
            String commandId = send(id, "{\"command\": \"get_metrics\"}");
            assertThat(instance.nextCommand(10)).isNotNull();
            awaitCommand(commandId, "sent");
            clock.advance(Duration.ofMinutes(6));
            dispatcher.sweep();
            admin().get("/commands/" + commandId).then().body("state", equalTo("timed_out"));
        }
    }

    @Test
    void badCommandsAreRejected() {
        String id = Api.enrollInstance("Strict");
        admin().body("{\"command\": \"format_disk\"}").post("/instances/" + id + "/commands").then().statusCode(400)
                .body("violations.field", hasItem("command"));
        admin().body("{\"command\": \"update\"}").post("/instances/" + id + "/commands").then().statusCode(400)
                .body("violations.field", hasItem("payload.entity_id"));
        admin().body("{\"command\": \"restart\", \"payload\": [1]}").post("/instances/" + id + "/commands")
                .then().statusCode(400).body("violations.field", hasItem("payload"));
        admin().body("{\"command\": \"restart\", \"ttlSeconds\": 0}").post("/instances/" + id + "/commands")
                .then().statusCode(400).body("violations.field", hasItem("ttlSeconds"));
        admin().body("{\"command\": \"restart\"}").post("/instances/00000000-0000-0000-0000-000000000000/commands")
                .then().statusCode(404);
        admin().delete("/instances/" + id).then().statusCode(204);
        admin().body("{\"command\": \"restart\"}").post("/instances/" + id + "/commands").then().statusCode(409);
        assertThat(db.count("SELECT count(*) FROM command")).isZero();
    }

    @Test
    void aBulkCommandFansOutToTheTargetAndIsReadBack() throws Exception {
        String a = Api.enrollInstance("A");
        String b = Api.enrollInstance("B");
        String c = Api.enrollInstance("C");
        admin().body(Map.of("tags", List.of("north"))).patch("/instances/" + a).then().statusCode(200);
        admin().body(Map.of("tags", List.of("north", "beta"))).patch("/instances/" + b).then().statusCode(200);

        String batchId = admin().body("{\"command\": \"check_updates\", \"target\": {\"tags\": [\"north\"]}}")
                .post("/commands").then().statusCode(202)
                .body("total", equalTo(2)).body("counts.queued", equalTo(2)).extract().path("batchId");
        admin().get("/command-batches/" + batchId).then().body("total", equalTo(2)).body("command", equalTo("check_updates"));
        admin().get("/instances/" + a + "/commands").then().body("items.batchId", contains(batchId));
        admin().get("/instances/" + c + "/commands").then().body("total", equalTo(0));

        try (FakeInstance instance = online(b)) {
            assertThat(instance.nextCommand(10).getString("command")).isEqualTo("check_updates");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> admin().get("/command-batches/" + batchId)
                    .then().body("counts.sent", equalTo(1)).body("counts.queued", equalTo(1)));
        }

        admin().body("{\"command\": \"restart\", \"target\": {\"instanceIds\": [\"" + a + "\", \"" + c + "\"]}}")
                .post("/commands").then().statusCode(202).body("total", equalTo(2));
        admin().body("{\"command\": \"restart\", \"target\": {\"status\": \"offline\"}}")
                .post("/commands").then().statusCode(202).body("total", equalTo(2));
        admin().body("{\"command\": \"restart\", \"target\": {\"instanceIds\": [\"00000000-0000-0000-0000-000000000000\"]}}")
                .post("/commands").then().statusCode(400);
        admin().body("{\"command\": \"restart\", \"target\": {\"status\": \"offline\", \"tags\": [\"x\"]}}")
                .post("/commands").then().statusCode(400).body("violations.field", containsInAnyOrder("target"));
        admin().body("{\"command\": \"restart\"}").post("/commands").then().statusCode(400);
    }

    @Test
    void aBulkCommandToATagNoInstanceCouldCarryIsRefusedNotQueuedEmpty() {
        for (String tag : new String[] { "", " ", "-leading-dash", "x".repeat(65), "<script>", "a b", "ümlaut" }) {
            admin().body(java.util.Map.of("command", "restart", "target", java.util.Map.of("tags", java.util.List.of(tag))))
                    .post("/commands").then().statusCode(400).body("violations.field", containsInAnyOrder("target.tags"));
        }
    }

    @Test
    void decommissioningCancelsQueuedCommandsAndTheyAreNeverSent() throws Exception {
        double cancelledBefore = finished("restart", "cancelled");
        String id = Api.enrollInstance("Retired");
        String other = Api.enrollInstance("Staying");
        String batchId = admin().body("{\"command\": \"restart\", \"target\": {\"instanceIds\": [\"" + id + "\", \""
                + other + "\"]}}").post("/commands").then().statusCode(202).extract().path("batchId");
        String single = send(id, "{\"command\": \"get_status\"}");

        admin().delete("/instances/" + id).then().statusCode(204);

        admin().get("/commands/" + single).then().body("state", equalTo("cancelled"));
        admin().get("/command-batches/" + batchId).then().body("total", equalTo(2))
                .body("counts", equalTo(Map.of("cancelled", 1, "queued", 1)));
        assertThat(finished("restart", "cancelled")).isEqualTo(cancelledBefore + 1);
        assertThat(db.count("SELECT count(*) FROM command WHERE instance_id = '" + id + "' AND state <> 'cancelled'"))
                .isZero();

        // Whatever the retired instance does now, nothing reaches it: its heartbeat is dropped and the sweep sends nothing.
        try (FakeInstance instance = FakeInstance.connect(vertx, mqttPort, id)) {
            instance.subscribeToCommands();
            instance.heartbeat(clock.millis());
            dispatcher.sweep();
            assertThat(instance.nextCommand(2)).isNull();
        }
        admin().get("/commands/" + single).then().body("state", equalTo("cancelled"));
    }

    @Test
    void aCommandThatCameBackToQueuedAfterDecommissioningIsCancelledByTheNextSweep() {
        String id = Api.enrollInstance("Retiring while sending");
        String commandId = send(id, "{\"command\": \"restart\"}");
        // The dispatcher holds it (sending) when the instance is decommissioned, so the cancel leaves it alone...
        db.execute("UPDATE command SET state = 'sending' WHERE id = '" + commandId + "'");
        admin().delete("/instances/" + id).then().statusCode(204);
        // ...then its publish fails and it goes back to queued, for an instance that is gone.
        db.execute("UPDATE command SET state = 'queued' WHERE id = '" + commandId + "'");
        double cancelledBefore = finished("restart", "cancelled");

        dispatcher.sweep();

        admin().get("/commands/" + commandId).then().body("state", equalTo("cancelled"));
        assertThat(finished("restart", "cancelled")).isEqualTo(cancelledBefore + 1);
    }
}
