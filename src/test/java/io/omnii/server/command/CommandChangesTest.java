package io.omnii.server.command;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.audit.Actor;
import io.omnii.server.auth.Scope;
import io.omnii.server.command.CommandPayloads.CommandRequest;
import io.omnii.server.common.Change;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class CommandChangesTest extends ServerTest {

    @Inject
    HeardChanges heard;

    @Inject
    CommandDispatcher dispatcher;

    @Inject
    CommandService commands;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    @BeforeEach
    void forget() {
        heard.clear();
    }

    private static String tagged(String name, String... tags) {
        String id = Api.enrollInstance(name);
        admin().body(Map.of("tags", List.of(tags))).patch("/instances/" + id).then().statusCode(200);
        return id;
    }

    private static String state(String commandId) {
        return admin().get("/commands/" + commandId).then().statusCode(200).extract().path("state");
    }

    @Test
    void everyStepOfAnAnsweredCommandIsAnnouncedWithItsInstancesTags() throws Exception {
        String id = tagged("Kitchen", "north", "beta");
        try (FakeInstance instance = FakeInstance.connect(vertx, mqttPort, id)) {
            instance.subscribeToCommands();
            instance.heartbeat(clock.millis());
            await().atMost(Duration.ofSeconds(10)).until(() -> "online".equals(
                    admin().get("/instances/" + id).then().extract().path("status")));
            String commandId = admin().body("{\"command\": \"get_status\"}").post("/instances/" + id + "/commands")
                    .then().statusCode(202).extract().path("id");
            assertThat(instance.nextCommand(10)).isNotNull();
            await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(state(commandId)));
            instance.status("online", "2024.2.0", clock.millis());
            await().atMost(Duration.ofSeconds(10)).until(() -> "completed".equals(state(commandId)));

            // queued, sending, sent, completed: one change each, all carrying the instance's tags.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(heard.of(Change.Kind.COMMAND, commandId)).hasSize(4));
            assertThat(heard.of(Change.Kind.COMMAND, commandId)).allSatisfy(c ->
                    assertThat(c.tags()).isEqualTo(Set.of("north", "beta")));
        }
    }

    @Test
    void aBulkCommandAnnouncesItsBatchAndEachCommand() {
        String a = tagged("A", "north");
        String b = tagged("B", "north", "beta");
        String batchId = admin().body("{\"command\": \"restart\", \"target\": {\"tags\": [\"north\"]}}")
                .post("/commands").then().statusCode(202).extract().path("batchId");
        List<String> commandIds = List.of(a, b).stream().map(id -> admin().get("/instances/" + id + "/commands")
                .then().extract().<String>path("items[0].id")).toList();
        commandIds.forEach(c -> assertThat(heard.of(Change.Kind.COMMAND, c)).hasSize(1));
        assertThat(heard.of(Change.Kind.BATCH, batchId)).extracting(Change::tags)
                .containsExactlyInAnyOrder(Set.of("north"), Set.of("north", "beta"));

        admin().delete("/instances/" + a).then().statusCode(204); // cancels a's queued command
        assertThat(heard.of(Change.Kind.COMMAND, commandIds.get(0))).hasSize(2);
        assertThat(heard.of(Change.Kind.BATCH, batchId)).hasSize(3);
    }

    @Test
    void aRolledBackCommandIsNeverAnnounced() {
        String id = tagged("Undone", "north");
        QuarkusTransaction.begin();
        String commandId;
        try {
            commandId = commands.send(Scope.ALL, UUID.fromString(id), new CommandRequest("restart", null, null),
                    Actor.system()).id().toString();
        } finally {
            QuarkusTransaction.rollback();
        }
        admin().get("/commands/" + commandId).then().statusCode(404);
        assertThat(heard.of(Change.Kind.COMMAND, commandId)).isEmpty();
    }

    @Test
    void aSweepThatMovesMoreThanTheLimitAnnouncesManyInsteadOfEach() {
        String id = tagged("Away", "north");
        String body = "{\"command\": \"check_updates\", \"ttlSeconds\": 60}";
        String firstId = null;
        for (int i = 0; i <= Change.MAX_EACH; i++) {
            String c = admin().body(body).post("/instances/" + id + "/commands").then().statusCode(202).extract().path("id");
            firstId = firstId == null ? c : firstId;
        }
        heard.clear();
        clock.advance(Duration.ofSeconds(61));
        dispatcher.sweep();
        admin().get("/commands/" + firstId).then().body("state", equalTo("expired"));
        assertThat(heard.of(Change.Kind.COMMAND, null)).hasSize(1);
        assertThat(heard.of(Change.Kind.COMMAND, firstId)).isEmpty();
    }
}
