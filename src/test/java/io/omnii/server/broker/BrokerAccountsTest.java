package io.omnii.server.broker;

import static io.omnii.server.testsupport.Api.admin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.omnii.server.mqtt.BrokerConnection;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.PeriodicJobRows;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Per-instance broker accounts against a real Mosquitto with the dynamic-security plugin. */
@QuarkusTest
@TestProfile(DynsecProfile.class)
class BrokerAccountsTest extends ServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @Inject
    BrokerConnection connection;

    @Inject
    BrokerAccounts accounts;

    @Inject
    DynsecClient dynsec;

    private final java.util.List<MqttClient> clients = new java.util.ArrayList<>();

    @BeforeEach
    void serverConnected() {
        await().atMost(TIMEOUT).until(() -> connection.state().connected());
    }

    @AfterEach
    void disconnect() {
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) {
                    c.disconnectForcibly(1_000);
                }
                c.close();
            } catch (MqttException ignored) {
                // already gone
            }
        }
    }

    /** An enrolled instance: its id and the enroll answer. */
    private record Enrolled(String id, JsonPath answer) {
        String username() {
            return answer.getString("mqttUsername");
        }

        String password() {
            return answer.getString("mqttPassword");
        }
    }

    private Enrolled enroll(String name) {
        JsonPath answer = given().contentType(ContentType.JSON).body(Map.of("code", Api.newCode(), "name", name))
                .post("/enroll").then().statusCode(200).extract().jsonPath();
        return new Enrolled(answer.getString("instanceId"), answer);
    }

    private MqttClient connect(String clientId, String username, String password) throws MqttException {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + DynsecProfile.broker().port(), clientId,
                new MemoryPersistence());
        clients.add(client);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setConnectionTimeout(5);
        if (username != null) {
            options.setUserName(username);
            options.setPassword(password.toCharArray());
        }
        client.connect(options);
        return client;
    }

    private MqttClient connect(Enrolled instance) throws MqttException {
        return connect(instance.answer().getString("mqttClientId"), instance.username(), instance.password());
    }

    private static void publish(MqttClient client, String topic, String json) throws MqttException {
        client.publish(topic, json.getBytes(StandardCharsets.UTF_8), 1, false);
    }

    private static String heartbeat(String id) {
        return "{\"status\":\"online\",\"uptime\":120,\"timestamp\":" + System.currentTimeMillis() + "}";
    }

    private static int grantedQos(MqttClient client, String filter, BlockingQueue<String> into) throws MqttException {
        IMqttToken token = client.subscribeWithResponse(filter, 1, (t, m) -> into.add(new String(m.getPayload())));
        return token.getGrantedQos()[0];
    }

    @Test
    void theEnrollAnswerAddsCredentialsToTheGuidesFields() {
        Enrolled instance = enroll("Credentials");
        assertThat(instance.username()).isEqualTo("ha-" + instance.id());
        assertThat(instance.password()).hasSizeGreaterThanOrEqualTo(32);
        assertThat(instance.answer().getString("mqttClientId")).isEqualTo("ha-" + instance.id());
        assertThat(instance.answer().getString("topics.heartbeat")).isEqualTo("ha-instances/" + instance.id() + "/heartbeat");
    }

    @Test
    void anEnrolledInstancePublishesItsTelemetryAndReceivesItsCommands() throws Exception {
        Enrolled instance = enroll("Own topics");
        MqttClient client = connect(instance);
        BlockingQueue<String> commands = new LinkedBlockingQueue<>();
        assertThat(grantedQos(client, "server/" + instance.id() + "/commands", commands)).isEqualTo(1);
        publish(client, "ha-instances/" + instance.id() + "/heartbeat", heartbeat(instance.id()));
        await().atMost(TIMEOUT).untilAsserted(() -> admin().get("/instances/" + instance.id()).then()
                .body("status", equalTo("online")));
        admin().body(Map.of("command", "get_status")).post("/instances/" + instance.id() + "/commands").then()
                .statusCode(202);
        assertThat(commands.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).contains("get_status");
    }

    @Test
    void anInstanceCannotPublishAsAnotherAndTheServerNeverSeesIt() throws Exception {
        Enrolled mallory = enroll("Mallory");
        Enrolled victim = enroll("Victim");
        MqttClient client = connect(mallory);
        publish(client, "ha-instances/" + victim.id() + "/heartbeat", heartbeat(victim.id()));
        publish(client, "ha-instances/" + victim.id() + "/status",
                "{\"status\":\"online\",\"version\":\"1.0.0\",\"timestamp\":" + System.currentTimeMillis() + "}");
        // A marker after the forgeries: once it is in, anything the broker let through would be in too.
        publish(client, "ha-instances/" + mallory.id() + "/heartbeat", heartbeat(mallory.id()));
        await().atMost(TIMEOUT).untilAsserted(() -> admin().get("/instances/" + mallory.id()).then()
                .body("status", equalTo("online")));
        admin().get("/instances/" + victim.id()).then().body("status", equalTo("offline"))
                .body("$", org.hamcrest.Matchers.hasKey("lastSeenAt"))
                .body("lastSeenAt", org.hamcrest.Matchers.nullValue())
                .body("version", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void anInstanceCannotSubscribeToAnotherInstancesCommands() throws Exception {
        Enrolled mallory = enroll("Eavesdropper");
        Enrolled victim = enroll("Overheard");
        MqttClient client = connect(mallory);
        BlockingQueue<String> stolen = new LinkedBlockingQueue<>();
        assertThat(grantedQos(client, "server/" + victim.id() + "/commands", stolen)).isEqualTo(0x80);
        assertThat(grantedQos(client, "server/+/commands", stolen)).isEqualTo(0x80);
        assertThat(grantedQos(client, "ha-instances/#", stolen)).isEqualTo(0x80);
    }

    @Test
    void unauthenticatedClientsAndWrongPasswordsAreRefused() throws Exception {
        Enrolled instance = enroll("Refused");
        assertThatThrownBy(() -> connect("anonymous-" + UUID.randomUUID(), null, null))
                .isInstanceOf(MqttSecurityException.class);
        assertThatThrownBy(() -> connect(instance.answer().getString("mqttClientId"), instance.username(), "guess"))
                .isInstanceOf(MqttSecurityException.class);
        // Bound to its own client id: the right password under another id is refused too.
        assertThatThrownBy(() -> connect("ha-" + UUID.randomUUID(), instance.username(), instance.password()))
                .isInstanceOf(MqttSecurityException.class);
    }

    @Test
    void aDecommissionedInstanceIsCutOffAndCannotReconnect() throws Exception {
        Enrolled instance = enroll("Decommissioned");
        MqttClient client = connect(instance);
        admin().delete("/instances/" + instance.id()).then().statusCode(204);
        await().atMost(TIMEOUT).until(() -> !client.isConnected());
        assertThatThrownBy(() -> connect(instance)).isInstanceOf(MqttSecurityException.class);
        admin().post("/instances/" + instance.id() + "/credentials/rotate").then().statusCode(409);
    }

    /** The broker observes fleet's decommissioning inside its transaction: its failure is the request's. */
    @Test
    void aDecommissioningTheBrokerCannotCarryOutChangesNothing() throws Exception {
        Enrolled instance = enroll("Kept by a broker outage");
        DynsecProfile.broker().close();
        try {
            admin().delete("/instances/" + instance.id()).then().statusCode(503)
                    .body("error", equalTo("broker_provisioning_failed"));
            admin().get("/instances/" + instance.id()).then().body("status", equalTo("offline"))
                    .body("decommissionedAt", org.hamcrest.Matchers.nullValue());
            admin().queryParam("status", "decommissioned").get("/instances").then().body("total", equalTo(0));
        } finally {
            DynsecProfile.broker().resume();
        }
        await().atMost(TIMEOUT).until(() -> connection.state().connected());
        assertThat(connect(instance).isConnected()).isTrue();
        admin().delete("/instances/" + instance.id()).then().statusCode(204);
        admin().get("/instances/" + instance.id()).then().body("status", equalTo("decommissioned"));
        assertThatThrownBy(() -> connect(instance)).isInstanceOf(MqttSecurityException.class);
    }

    @Test
    void aRotatedAwayPasswordNoLongerConnects() throws Exception {
        Enrolled instance = enroll("Rotated");
        MqttClient old = connect(instance);
        JsonPath rotated = admin().post("/instances/" + instance.id() + "/credentials/rotate").then().statusCode(200)
                .body("mqttUsername", equalTo(instance.username())).body("mqttPassword", notNullValue())
                .extract().jsonPath();
        assertThat(rotated.getString("mqttPassword")).isNotEqualTo(instance.password());
        await().atMost(TIMEOUT).until(() -> !old.isConnected());
        assertThatThrownBy(() -> connect(instance)).isInstanceOf(MqttSecurityException.class);
        MqttClient fresh = connect(instance.answer().getString("mqttClientId"), instance.username(),
                rotated.getString("mqttPassword"));
        assertThat(fresh.isConnected()).isTrue();
    }

    @Test
    void aFailedProvisioningLeavesTheCodeUsableAndNoInstanceBehind() throws Exception {
        String code = Api.newCode();
        int before = admin().get("/instances").then().extract().path("total");
        DynsecProfile.broker().close();
        try {
            given().contentType(ContentType.JSON).body(Map.of("code", code, "name", "Too early")).post("/enroll")
                    .then().statusCode(503).body("error", equalTo("broker_provisioning_failed"));
            admin().get("/instances").then().body("total", equalTo(before));
        } finally {
            DynsecProfile.broker().resume();
        }
        await().atMost(TIMEOUT).until(() -> connection.state().connected());
        given().contentType(ContentType.JSON).body(Map.of("code", code, "name", "On time")).post("/enroll")
                .then().statusCode(200).body("mqttPassword", notNullValue());
    }

    @Test
    void reconciliationRepairsABrokerThatLostClients() throws Exception {
        Enrolled kept = enroll("Kept");
        Enrolled lost = enroll("Lost");
        dynsec.execute(dynsec.command("deleteClient").put("username", lost.username()));
        dynsec.execute(dynsec.command("deleteRole").put("rolename", BrokerAccounts.INSTANCE_ROLE_PREFIX + kept.id()));
        String stranger = "ha-" + UUID.randomUUID();
        dynsec.execute(dynsec.command("createClient").put("username", stranger).put("password", "left-over"));

        BrokerAccounts.Report report = accounts.reconcile();

        assertThat(report.created()).isEqualTo(1);
        assertThat(report.repaired()).isEqualTo(1);
        assertThat(report.removed()).isGreaterThanOrEqualTo(1);
        assertThatThrownBy(() -> connect(stranger, stranger, "left-over")).isInstanceOf(MqttSecurityException.class);
        // The kept instance has its role back: it may publish its own telemetry again.
        MqttClient client = connect(kept);
        publish(client, "ha-instances/" + kept.id() + "/heartbeat", heartbeat(kept.id()));
        await().atMost(TIMEOUT).untilAsserted(() -> admin().get("/instances/" + kept.id()).then()
                .body("status", equalTo("online")));
        // The lost one was recreated with a password nobody knows: a rotation hands one out.
        String password = admin().post("/instances/" + lost.id() + "/credentials/rotate").then().statusCode(200)
                .extract().path("mqttPassword");
        assertThat(connect(lost.answer().getString("mqttClientId"), lost.username(), password).isConnected()).isTrue();
        assertThat(accounts.reconcile()).isEqualTo(new BrokerAccounts.Report(0, 0, 0));
    }

    private boolean brokerHasClient(String username) {
        try {
            dynsec.execute(dynsec.command("getClient").put("username", username));
            return true;
        } catch (DynsecClient.DynsecException e) {
            return false;
        }
    }

    @Test
    void theScheduledReconciliationRunsOncePerIntervalWhicheverReplicaTicks() {
        Enrolled lost = enroll("Lost again and again");
        PeriodicJobRows.assertRunsOncePerInterval(db, BrokerAccounts.RECONCILE_JOB,
                () -> dynsec.execute(dynsec.command("deleteClient").put("username", lost.username())),
                accounts::scheduledReconcile, () -> brokerHasClient(lost.username()) ? 0 : 1);
    }

    @Test
    void theServersAccountReadsInstanceTopicsAndWritesCommandsOnly() throws Exception {
        MqttClient server = connect("omnii-server-probe", DynsecProfile.SERVER_USER, DynsecProfile.SERVER_PASSWORD);
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        assertThat(grantedQos(server, "ha-instances/+/heartbeat", seen)).isEqualTo(1);
        assertThat(grantedQos(server, "server/+/commands", seen)).isEqualTo(0x80);
        assertThat(grantedQos(server, "$CONTROL/dynamic-security/#", seen)).isEqualTo(0x80);
        assertThat(grantedQos(server, "#", seen)).isEqualTo(0x80);

        // The admin account sees everything that gets through; the forbidden publishes go first, the allowed last.
        MqttClient watcher = connect("watcher", DynsecProfile.ADMIN, DynsecProfile.ADMIN_PASSWORD);
        BlockingQueue<String> delivered = new LinkedBlockingQueue<>();
        watcher.subscribe("#", 1, (topic, message) -> delivered.add(topic));
        String id = UUID.randomUUID().toString();
        publish(server, "ha-instances/" + id + "/heartbeat", heartbeat(id));
        publish(server, "elsewhere/" + id, "{}");
        publish(server, "server/" + id + "/commands", "{\"command\":\"get_status\"}");
        assertThat(delivered.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("server/" + id + "/commands");
        assertThat(delivered).isEmpty();
    }

    /**
     * A broker that does not answer at start-up: the set-up is retried in the background, with the shared backoff,
     * until it answers; it then creates the server's own account, with which the ingest connection logs in.
     */
    @Test
    void theStartUpSetUpIsRetriedUntilTheBrokerAnswers() throws Exception {
        dynsec.execute(dynsec.command("deleteClient").put("username", DynsecProfile.SERVER_USER));
        await().atMost(TIMEOUT).until(() -> !connection.state().connected());
        DynsecProfile.broker().close();
        try {
            accounts.onStart(new StartupEvent());
        } finally {
            DynsecProfile.broker().resume();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> connection.state().connected());
        assertThat(dynsec.execute(dynsec.command("getClient").put("username", DynsecProfile.SERVER_USER))
                .path("client").path("username").asText()).isEqualTo(DynsecProfile.SERVER_USER);
    }

    @Test
    void settingUpTheServersAccountAgainChangesNothingAndKeepsItConnected() {
        accounts.ensureServerAccount();
        accounts.ensureServerAccount();
        assertThat(connection.state().connected()).isTrue();
    }
}
