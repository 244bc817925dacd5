package io.omnii.server.matter;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;


import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
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

    @Inject
    AgroalDataSource dataSource;

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
        admin().get("/matter/nodes/999999/events").then().statusCode(404).body("error", equalTo("not_found"));
        admin().get("/matter/nodes/light").then().statusCode(404);
    }

    @Test
    void whileTheMatterServerIsAwayItsInfoStaysAndNodeAvailabilityIsUnknown() {
        BigInteger light = peer.addVirtualLight();
        await().atMost(TIMEOUT).until(() -> nodeIds().contains(light.intValue()));
        await().atMost(TIMEOUT).until(() -> gauge("unknown") == 0 && gauge("available") >= 1);
        int schema = peer.serverInfo().schemaVersion();
        peer.stop();
        // Past the first failed reconnection, which used to drop the server info.
        await().atMost(TIMEOUT).until(() -> !client.state().connected()
                && client.state().lastError().orElse("").toLowerCase().contains("refused"));
        long received = admin().get("/matter/server").then().statusCode(200)
                .body("connected", equalTo(false))
                .body("info.schema_version", equalTo(schema))
                .extract().jsonPath().getLong("infoReceivedAt");
        assertThat(received).isPositive().isLessThanOrEqualTo(System.currentTimeMillis());
        admin().get("/matter/nodes/" + light).then().statusCode(200).body("available", nullValue());
        admin().get("/matter/nodes").then().body("available", everyItem(nullValue()));
        assertThat(gauge("available")).isZero();
        assertThat(gauge("unavailable")).isZero();
        assertThat(gauge("unknown")).isEqualTo(nodeIds().size());

        peer.start();
        await().atMost(TIMEOUT).untilAsserted(() ->
                admin().get("/matter/nodes/" + light).then().body("available", equalTo(true)));
        assertThat(gauge("unknown")).isZero();
        assertThat(admin().get("/matter/server").then().extract().jsonPath().getLong("infoReceivedAt"))
                .isGreaterThan(received);
    }

    private double gauge(String availability) {
        return registry.get("omnii.matter.nodes").tag("availability", availability).gauge().value();
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
    void nodeEventsAreKeptWithTheirBigNumbers() throws Exception {
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
                .statusCode(404));
        try (var c = dataSource.getConnection(); var rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM matter_node_event WHERE node_id = " + light)) {
            rs.next();
            assertThat(rs.getLong(1)).isZero(); // gone with their node
        }
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
