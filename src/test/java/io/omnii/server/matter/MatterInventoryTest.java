package io.omnii.server.matter;

import static io.omnii.server.testsupport.Api.admin;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.omnii.server.matter.peer.MatterServerPeer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node inventory in PostgreSQL follows the Matter Server: snapshot on connect, then events. */
@QuarkusTest
@TestProfile(MatterPeerProfile.class)
class MatterInventoryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Inject
    MatterClient client;

    MatterServerPeer peer;

    @BeforeEach
    void listening() {
        peer = MatterPeerProfile.peer();
        peer.start();
        await().atMost(TIMEOUT).until(() -> client.state().connected());
    }

    private static List<Integer> nodeIds() {
        return admin().get("/matter/nodes").then().statusCode(200).extract().path("nodeId");
    }

    @Test
    void theSnapshotFillsTheInventory() {
        BigInteger light = peer.addVirtualLight();
        await().atMost(TIMEOUT).until(() -> nodeIds().size() == peer.nodes().size());
        admin().get("/matter/nodes/" + light).then().statusCode(200)
                .body("nodeId", equalTo(light.intValue()))
                .body("available", equalTo(true))
                .body("vendorName", notNullValue())
                .body("attributes.'0/40/1'", notNullValue());
        admin().get("/matter/server").then().statusCode(200)
                .body("connected", equalTo(true))
                .body("info.schema_version", equalTo(peer.serverInfo().schemaVersion()));
    }

    @Test
    void eventsKeepNodesCurrent() {
        BigInteger light = peer.addVirtualLight();
        await().atMost(TIMEOUT).until(() -> nodeIds().contains(light.intValue()));
        peer.updateAttribute(light, "0/40/5", "Hall light");
        await().atMost(TIMEOUT).untilAsserted(() ->
                admin().get("/matter/nodes/" + light).then().body("nodeLabel", equalTo("Hall light")));
        peer.removeNode(light);
        await().atMost(TIMEOUT).untilAsserted(() -> admin().get("/matter/nodes/" + light).then().statusCode(404));
    }

    @Test
    void nothingStaleSurvivesAReconnection() {
        BigInteger light = peer.addVirtualLight();
        await().atMost(TIMEOUT).until(() -> nodeIds().contains(light.intValue()));
        peer.stop();
        await().atMost(TIMEOUT).until(() -> !client.state().connected());
        peer.removeNode(light); // while we are away: no event reaches us
        peer.start();
        await().atMost(TIMEOUT).untilAsserted(() ->
                admin().get("/matter/nodes").then().body("nodeId", not(hasItem(light.intValue()))));
    }

    @Test
    void anUnknownNodeIs404() {
        admin().get("/matter/nodes/999999").then().statusCode(404).body("error", equalTo("not_found"));
        admin().get("/matter/nodes/light").then().statusCode(404);
    }
}
