package io.omnii.server.matter;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnii.server.matter.peer.MatterServerPeer;
import io.omnii.server.replica.Replicas;
import io.omnii.server.testsupport.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Commissioning through the REST API as an operation to poll, against the protocol-faithful peer. */
@QuarkusTest
@TestProfile(MatterPeerProfile.class)
class CommissioningTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String QR = "MT:Y.K9042C00KA0648G00";
    private static final String MANUAL = "34970112332";

    @Inject
    MatterClient client;

    @Inject
    CommissioningService service;

    @Inject
    Replicas replicas;

    @Inject
    Database db;

    MatterServerPeer peer;

    @BeforeEach
    void listening() {
        peer = MatterPeerProfile.peer();
        peer.start();
        await().atMost(TIMEOUT).until(() -> client.state().connected());
        awaitNothingPending();
        peer.clearReceived();
    }

    @AfterEach
    void restorePeer() {
        peer.replyDelay("commission_with_code", Duration.ZERO);
        peer.start();
        awaitNothingPending();
    }

    private static void awaitNothingPending() {
        await().atMost(TIMEOUT).until(() -> !admin().get("/matter/commissioning?size=500").then().extract()
                .<List<String>>path("items.state").contains("pending"));
    }

    private static String start(Map<String, Object> request) {
        return admin().body(request).post("/matter/commissioning").then().statusCode(202)
                .body("state", equalTo("pending"))
                .extract().path("id");
    }

    private static JsonPath outcome(String id) {
        await().atMost(TIMEOUT).until(() -> !"pending".equals(
                admin().get("/matter/commissioning/" + id).then().statusCode(200).extract().path("state")));
        return admin().get("/matter/commissioning/" + id).then().extract().jsonPath();
    }

    @Test
    void commissioningWithAQrCodeEndsWithTheNewNodeInTheInventory() {
        io.restassured.response.Response started = admin().body(Map.of("code", QR)).post("/matter/commissioning");
        started.then().statusCode(202).body("state", equalTo("pending")).body("method", equalTo("code"));
        String id = started.path("id");
        // A path, as docs/api.md shows, not an absolute URL built from whatever Host the request named.
        assertThat(started.header("Location")).isEqualTo("/matter/commissioning/" + id);
        JsonPath done = outcome(id);
        assertThat(done.getString("state")).isEqualTo("succeeded");
        assertThat(done.getLong("durationMs")).isNotNegative();
        assertThat(done.getString("error")).isNull();
        String nodeId = done.getString("nodeId");
        assertThat(nodeId).isNotNull();
        admin().get("/matter/nodes/" + nodeId).then().statusCode(200).body("available", equalTo(true));
        JsonNode args = peer.lastArgs("commission_with_code");
        assertThat(args.path("code").asText()).isEqualTo(QR);
        assertThat(args.path("network_only").asBoolean()).isFalse();
    }

    @Test
    void aManualCodeIsRelayedAsDigitsWithNetworkOnly() {
        String id = start(Map.of("code", "3497-011-2332", "networkOnly", true));
        assertThat(outcome(id).getString("state")).isEqualTo("succeeded");
        JsonNode args = peer.lastArgs("commission_with_code");
        assertThat(args.path("code").asText()).isEqualTo(MANUAL);
        assertThat(args.path("network_only").asBoolean()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "34970112333", "MT:Y.K9042C00KA0648G0", "12345", "MT:" })
    void aBadCodeIs400AndNothingIsRelayed(String code) {
        admin().body(Map.of("code", code)).post("/matter/commissioning").then().statusCode(400)
                .body("violations[0].field", equalTo("code"));
        assertThat(peer.received()).isEmpty();
    }

    @Test
    void commissioningOnTheNetworkSendsThePinAndTheFilter() {
        String id = start(Map.of("setupPinCode", 20202021, "filterType", 2, "filter", 3840, "ipAddress", "10.56.0.2"));
        JsonPath done = outcome(id);
        assertThat(done.getString("state")).isEqualTo("succeeded");
        assertThat(done.getString("method")).isEqualTo("network");
        JsonNode args = peer.lastArgs("commission_on_network");
        assertThat(args.path("setup_pin_code").asLong()).isEqualTo(20202021);
        assertThat(args.path("filter_type").asInt()).isEqualTo(2);
        assertThat(args.path("filter").asInt()).isEqualTo(3840);
        assertThat(args.path("ip_addr").asText()).isEqualTo("10.56.0.2");
    }

    @Test
    void badNetworkRequestsAre400() {
        admin().body(Map.of("setupPinCode", 12345678)).post("/matter/commissioning").then().statusCode(400)
                .body("violations.field", hasItem("setupPinCode"));
        admin().body(Map.of("setupPinCode", 20202021, "filterType", 2, "filter", 5000)).post("/matter/commissioning")
                .then().statusCode(400).body("violations.field", hasItem("filter"));
        admin().body(Map.of("setupPinCode", 20202021, "filterType", 9)).post("/matter/commissioning")
                .then().statusCode(400).body("violations.field", hasItem("filterType"));
        admin().body(Map.of("setupPinCode", 20202021, "ipAddress", "a.b")).post("/matter/commissioning")
                .then().statusCode(400).body("violations.field", hasItem("ipAddress"));
        admin().body(Map.of("setupPinCode", 20202021, "code", MANUAL)).post("/matter/commissioning")
                .then().statusCode(400);
        admin().body(Map.of()).post("/matter/commissioning").then().statusCode(400);
        assertThat(peer.received()).isEmpty();
    }

    /** python-matter-server parses ip_addr with ipaddress, and fails anything else with error 0: a 502. */
    @ParameterizedTest
    @ValueSource(strings = { ":", "1:", "::::::::::", "fd11::2::1", "999.1.1.1", "10.0.0", "[fd11::2]", "fe80::1%",
            "fe80::1%a b" })
    void anAddressThatIsNoIpAddressIs400AndNothingIsRelayed(String address) {
        admin().body(Map.of("setupPinCode", 20202021, "ipAddress", address)).post("/matter/commissioning")
                .then().statusCode(400).body("violations.field", hasItem("ipAddress"));
        assertThat(peer.received()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "fe80::78de:3ff:fe8e:352a%eth0", "::ffff:10.56.0.2", "fd11::2" })
    void anIpv6AddressIsRelayedWithItsScope(String address) {
        String id = start(Map.of("setupPinCode", 20202021, "ipAddress", address));
        assertThat(outcome(id).getString("state")).isEqualTo("succeeded");
        assertThat(peer.lastArgs("commission_on_network").path("ip_addr").asText()).isEqualTo(address);
    }

    /** The credential ids name entries as PUT /matter/credentials/... does, and are checked the same way. */
    @ParameterizedTest
    @ValueSource(strings = { "wifiCredentialsId", "threadDatasetId" })
    void aBadCredentialIdIs400AndNothingIsRelayed(String field) {
        for (String id : List.of("", "two words", "x".repeat(65), "caf\u00e9")) {
            admin().body(Map.of("code", MANUAL, "networkOnly", true, field, id)).post("/matter/commissioning").then()
                    .statusCode(400).body("violations.field", hasItem(field));
        }
        assertThat(peer.received()).isEmpty();
    }

    @Test
    void aFailedCommissioningRecordsTheServersError() {
        peer.failNext("commission_with_code", 1, "Commission failed: Mdns discovery timed out");
        JsonPath done = outcome(start(Map.of("code", QR)));
        assertThat(done.getString("state")).isEqualTo("failed");
        assertThat(done.getInt("errorCode")).isEqualTo(1);
        assertThat(done.getString("error")).contains("Mdns discovery timed out");
        assertThat(done.getString("nodeId")).isNull();
    }

    @Test
    void oneCommissioningAtATime() {
        peer.replyDelay("commission_with_code", Duration.ofSeconds(2));
        String first = start(Map.of("code", QR));
        admin().body(Map.of("code", MANUAL)).post("/matter/commissioning").then().statusCode(409)
                .body("error", equalTo("commissioning_in_progress"));
        assertThat(outcome(first).getString("state")).isEqualTo("succeeded");
        assertThat(outcome(start(Map.of("code", MANUAL))).getString("state")).isEqualTo("succeeded");
    }

    @Test
    void aLostConnectionFailsThePendingCommissioningAndSaysTheDeviceMayHaveJoined() {
        peer.replyDelay("commission_with_code", Duration.ofSeconds(30));
        String id = start(Map.of("code", QR));
        await().atMost(TIMEOUT).until(() -> !peer.received("commission_with_code").isEmpty());
        peer.dropConnections();
        JsonPath done = outcome(id);
        assertThat(done.getString("state")).isEqualTo("failed");
        assertThat(done.getInt("errorCode")).isEqualTo(-1);
        assertThat(done.getString("error")).contains("may still have joined");
    }

    @Test
    void aCommissioningWithoutAnswerTimesOut() {
        peer.replyDelay("commission_with_code", Duration.ofSeconds(10));
        JsonPath done = outcome(start(Map.of("code", QR)));
        assertThat(done.getString("state")).isEqualTo("failed");
        assertThat(done.getInt("errorCode")).isEqualTo(-2);
        assertThat(done.getLong("durationMs")).isBetween(3_500L, 9_000L);
    }

    @Test
    void withoutTheMatterServerNothingIsStarted() {
        peer.stop();
        await().atMost(TIMEOUT).until(() -> !client.state().connected());
        long before = admin().get("/matter/commissioning").then().extract().jsonPath().getLong("total");
        admin().body(Map.of("code", QR)).post("/matter/commissioning").then().statusCode(503)
                .body("error", equalTo("matter_server_unavailable"));
        assertThat(admin().get("/matter/commissioning").then().extract().jsonPath().getLong("total"))
                .isEqualTo(before);
    }

    @Test
    void attemptsAreListedNewestFirst() {
        String first = outcome(start(Map.of("code", QR))).getString("id");
        String second = outcome(start(Map.of("code", MANUAL))).getString("id");
        admin().get("/matter/commissioning?size=2").then().statusCode(200)
                .body("items[0].id", equalTo(second)).body("items[1].id", equalTo(first))
                .body("size", equalTo(2));
        admin().get("/matter/commissioning/" + first).then().body("id", equalTo(first));
        admin().get("/matter/commissioning/not-an-id").then().statusCode(404);
        admin().get("/matter/commissioning?size=0").then().statusCode(400);
    }

    @Test
    void anAttemptRecordsTheReplicaThatRelaysIt() {
        String id = outcome(start(Map.of("code", QR))).getString("id");
        assertThat(db.count("SELECT count(*) FROM matter_commissioning WHERE id = '" + id + "' AND owner = '"
                + replicas.incarnation() + "'")).isEqualTo(1);
    }

    /** Another replica's attempt (as rows: its replica row and its pending attempt), first alive, then gone. */
    @Test
    void anAttemptIsFailedOnlyOnceTheReplicaRelayingItIsGone() {
        UUID other = UUID.randomUUID();
        UUID attempt = UUID.randomUUID();
        db.execute("INSERT INTO replica (incarnation, client_id, started_at, seen_at) VALUES ('" + other
                + "', 'omnii-server-other', clock_timestamp(), clock_timestamp())");
        db.execute("INSERT INTO matter_commissioning (id, owner, method, network_only, state, created_at) VALUES ('"
                + attempt + "', '" + other + "', 'code', false, 'pending', clock_timestamp())");
        try {
            service.failOrphaned();
            admin().get("/matter/commissioning/" + attempt).then().body("state", equalTo("pending"));
            admin().body(Map.of("code", QR)).post("/matter/commissioning").then().statusCode(409)
                    .body("error", equalTo("commissioning_in_progress"));

            // Not heard of for longer than the lease (10 s by default): gone.
            db.execute("UPDATE replica SET seen_at = clock_timestamp() - interval '11 seconds' WHERE incarnation = '"
                    + other + "'");
            service.failOrphaned();
            JsonPath failed = admin().get("/matter/commissioning/" + attempt).then().extract().jsonPath();
            assertThat(failed.getString("state")).isEqualTo("failed");
            assertThat(failed.getInt("errorCode")).isEqualTo(-1);
            assertThat(failed.getString("error")).contains("replica relaying it stopped").contains("may still have joined");
            String finishedAt = failed.getString("finishedAt");
            service.failOrphaned();
            assertThat(admin().get("/matter/commissioning/" + attempt).then().extract().<Object>path("finishedAt")
                    .toString()).as("failed once").isEqualTo(finishedAt);
        } finally {
            db.execute("DELETE FROM replica WHERE incarnation = '" + other + "'");
        }
    }

    @Test
    void anAttemptOfAReplicaNeverRegisteredIsFailedButOurOwnIsLeftAlone() {
        UUID attempt = UUID.randomUUID();
        db.execute("INSERT INTO matter_commissioning (id, method, network_only, state, created_at) VALUES ('"
                + attempt + "', 'code', false, 'pending', clock_timestamp())");
        service.failOrphaned();
        admin().get("/matter/commissioning/" + attempt).then().body("state", equalTo("failed"));

        peer.replyDelay("commission_with_code", Duration.ofSeconds(2));
        String ours = start(Map.of("code", QR));
        service.failOrphaned();
        admin().get("/matter/commissioning/" + ours).then().body("state", equalTo("pending"));
        assertThat(outcome(ours).getString("state")).isEqualTo("succeeded");
    }
}
