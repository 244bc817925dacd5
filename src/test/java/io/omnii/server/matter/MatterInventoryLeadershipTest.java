package io.omnii.server.matter;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.matter.peer.MatterNodeEvent;
import io.omnii.server.matter.peer.MatterServerPeer;
import io.omnii.server.replica.Leadership;
import io.omnii.server.testsupport.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Only the leading replica writes the inventory; one that does not lead keeps the node ids and the node events it
 * hears, and writes a snapshot and those events when it takes over. Leadership is moved by taking the lease
 * {@code leader} away in PostgreSQL, as another replica would, and noticed at the next heartbeat.
 */
@QuarkusTest
@TestProfile(MatterPeerProfile.class)
class MatterInventoryLeadershipTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Inject
    MatterClient client;

    @Inject
    MatterInventory inventory;

    @Inject
    Leadership leadership;

    @Inject
    MeterRegistry registry;

    @Inject
    Database db;

    MatterServerPeer peer;

    @BeforeEach
    void listening() {
        peer = MatterPeerProfile.listening(client);
    }

    @AfterEach
    void leadAgain() {
        db.execute("DELETE FROM lease WHERE name = 'leader'");
        await().atMost(TIMEOUT).until(leadership::isLeader);
    }

    private void anotherReplicaLeads() {
        // The lease may be absent for a moment (released, not yet renewed): taken either way.
        db.execute("INSERT INTO lease (name, holder, expires_at) VALUES ('leader', '" + UUID.randomUUID()
                + "', clock_timestamp() + interval '10 minutes') ON CONFLICT (name) DO UPDATE"
                + " SET holder = excluded.holder, expires_at = excluded.expires_at");
        // The gauges go when the observers hear of it, just after isLeader() turns false.
        await().atMost(TIMEOUT).until(() -> registry.find("omnii.matter.nodes").gauges().isEmpty());
    }

    private long count(String sql) {
        return db.count(sql);
    }

    @Test
    void aReplicaThatDoesNotLeadWritesNothingAndTakesOverWithASnapshotAndTheEventsItHeard() {
        BigInteger light = peer.addVirtualLight();
        await().atMost(TIMEOUT).until(() -> count("SELECT count(*) FROM matter_node WHERE node_id = " + light) == 1);
        assertThat(registry.find("omnii.matter.nodes").gauges()).hasSize(3);
        anotherReplicaLeads();
        assertThat(leadership.isLeader()).isFalse();

        BigInteger eventNumber = BigInteger.valueOf(System.nanoTime());
        peer.updateAttribute(light, "0/40/5", "Hall light");
        peer.pushNodeEvent(new MatterNodeEvent(light, 1, 59, 1, eventNumber, 1, BigInteger.valueOf(1763900000000L), 1,
                new ObjectMapper().createObjectNode().put("newPosition", 1)));
        BigInteger second = peer.addVirtualLight();
        // Handled in order: once the second light is known, the label and the event were heard before it.
        await().atMost(TIMEOUT).until(() -> inventory.knows(second));
        assertThat(count("SELECT count(*) FROM matter_node WHERE node_id = " + second)).isZero();
        assertThat(count("SELECT count(*) FROM matter_node WHERE node_id = " + light
                + " AND node_label IS DISTINCT FROM 'Hall light'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM matter_node_event WHERE event_number = " + eventNumber)).isZero();
        admin().get("/matter/nodes/" + second + "/events").then().statusCode(200); // known here, though not stored

        db.execute("DELETE FROM lease WHERE name = 'leader'"); // the other replica stopped
        await().atMost(TIMEOUT).until(() -> count("SELECT count(*) FROM matter_node_event WHERE event_number = "
                + eventNumber) == 1);
        assertThat(count("SELECT count(*) FROM matter_node WHERE node_id = " + second)).isEqualTo(1);
        admin().get("/matter/nodes/" + light).then().body("nodeLabel", equalTo("Hall light"));
        await().atMost(TIMEOUT).until(() -> registry.find("omnii.matter.nodes").gauges().size() == 3);
        peer.removeNode(light);
        peer.removeNode(second);
    }

    @Test
    void aCommissioningThroughAReplicaThatDoesNotLeadFindsItsNodeInTheInventory() {
        anotherReplicaLeads();
        String id = admin().body(java.util.Map.of("code", "MT:Y.K9042C00KA0648G00")).post("/matter/commissioning")
                .then().statusCode(202).extract().path("id");
        await().atMost(TIMEOUT).until(() -> !"pending".equals(admin().get("/matter/commissioning/" + id).then()
                .extract().path("state")));
        String nodeId = admin().get("/matter/commissioning/" + id).then().body("state", equalTo("succeeded"))
                .extract().path("nodeId").toString();
        admin().get("/matter/nodes/" + nodeId).then().statusCode(200);
        peer.removeNode(new BigInteger(nodeId));
    }

    @Test
    void theNodeEventPurgeRunsOncePerIntervalAcrossReplicas() {
        db.execute("DELETE FROM periodic_job WHERE name = '" + MatterInventory.PURGE_JOB + "'");
        db.execute("INSERT INTO matter_node_event (node_id, event_number, endpoint_id, cluster_id, event_id, priority,"
                + " event_timestamp, timestamp_type, received_at) VALUES (424242, 1, 1, 59, 1, 1, 0, 1,"
                + " clock_timestamp() - interval '31 days')");
        assertThat(inventory.purgeEvents()).isEqualTo(1);
        db.execute("INSERT INTO matter_node_event (node_id, event_number, endpoint_id, cluster_id, event_id, priority,"
                + " event_timestamp, timestamp_type, received_at) VALUES (424242, 2, 1, 59, 1, 1, 0, 1,"
                + " clock_timestamp() - interval '31 days')");
        assertThat(inventory.purgeEvents()).as("another replica's tick within the hour").isEqualTo(-1);
        assertThat(count("SELECT count(*) FROM matter_node_event WHERE node_id = 424242")).isEqualTo(1);
        db.execute("DELETE FROM matter_node_event WHERE node_id = 424242");
    }
}
