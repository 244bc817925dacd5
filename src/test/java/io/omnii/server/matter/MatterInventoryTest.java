package io.omnii.server.matter;

import static io.omnii.server.testsupport.Api.admin;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.matter.peer.MatterNodeEvent;
import io.omnii.server.matter.peer.MatterServerPeer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
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

    @Inject
    MeterRegistry registry;

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

    @Test
    void aFiveMegabyteSnapshotIsHandled() {
        List<BigInteger> big = new ArrayList<>();
        String filler = "x".repeat(512 * 1024);
        for (int i = 0; i < 10; i++) {
            BigInteger id = peer.addVirtualLight();
            ObjectNode node = peer.node(id);
            ((ObjectNode) node.get("attributes")).put("0/40/5", filler.substring(0, 100))
                    .put("1/65530/65530", filler); // a vendor attribute carrying half a megabyte
            peer.updateNode(node);
            big.add(id);
        }
        try {
            peer.dropConnections();
            await().atMost(TIMEOUT).until(() -> client.state().connected()
                    && nodeIds().containsAll(big.stream().map(BigInteger::intValue).toList()));
            admin().get("/matter/nodes/" + big.get(9)).then().statusCode(200)
                    .body("attributes.'1/65530/65530'.length()", equalTo(filler.length()));
        } finally {
            big.forEach(peer::removeNode);
        }
    }

    @Test
    void nodeEventsAreKeptWithTheirBigNumbers() {
        BigInteger light = peer.addVirtualLight();
        await().atMost(TIMEOUT).until(() -> nodeIds().contains(light.intValue()));
        BigInteger eventNumber = new BigInteger("18446744073709551000"); // beyond 2^63
        peer.pushNodeEvent(new MatterNodeEvent(light, 1, 59, 1, eventNumber, 1,
                new BigInteger("1763900000000"), 1, new ObjectMapper().createObjectNode().put("newPosition", 1)));
        await().atMost(TIMEOUT).untilAsserted(() -> admin().get("/matter/nodes/" + light + "/events").then()
                .statusCode(200)
                .body("[0].eventNumber", equalTo(eventNumber))
                .body("[0].clusterId", equalTo(59))
                .body("[0].data.newPosition", equalTo(1)));
        admin().get("/matter/nodes/" + light + "/events?limit=0").then().statusCode(400);
        peer.removeNode(light);
        await().atMost(TIMEOUT).untilAsserted(() -> admin().get("/matter/nodes/" + light + "/events").then()
                .statusCode(200).body("size()", equalTo(0)));
    }

    @Test
    void nodesAreCountedByAvailability() {
        BigInteger light = peer.addVirtualLight();
        await().atMost(TIMEOUT).until(() -> nodeIds().contains(light.intValue()));
        double unavailableBefore = registry.get("omnii.matter.nodes").tag("availability", "unavailable").gauge().value();
        ObjectNode node = peer.node(light);
        node.put("available", false);
        peer.updateNode(node);
        await().atMost(TIMEOUT).until(() -> registry.get("omnii.matter.nodes").tag("availability", "unavailable")
                .gauge().value() == unavailableBefore + 1);
        peer.removeNode(light);
        await().atMost(TIMEOUT).until(() -> registry.get("omnii.matter.nodes").tag("availability", "unavailable")
                .gauge().value() == unavailableBefore);
    }
}
