package io.omnii.server.matter;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.omnii.server.common.Change;
import io.omnii.server.common.Change.Kind;
import io.omnii.server.matter.peer.MatterServerPeer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the Matter feature announces to the console's live pages: attempts, nodes and the connection. */
@QuarkusTest
@TestProfile(MatterPeerProfile.class)
class MatterChangesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Inject
    MatterClient client;

    @Inject
    RecordingChanges changes;

    MatterServerPeer peer;

    @BeforeEach
    void listening() {
        peer = MatterPeerProfile.listening(client);
        await().atMost(TIMEOUT).until(() -> !admin().get("/matter/commissioning?size=500").then().extract()
                .<List<String>>path("items.state").contains("pending"));
        changes.heard.clear();
    }

    @Test
    void aCommissioningAttemptIsAnnouncedWhenItStartsAndWhenItEnds() {
        String id = admin().body(Map.of("code", "34970112332", "networkOnly", true)).post("/matter/commissioning")
                .then().statusCode(202).extract().path("id");
        await().atMost(TIMEOUT).until(() -> Collections.frequency(changes.ids(Kind.COMMISSIONING), id) == 2);
        String nodeId = admin().get("/matter/commissioning/" + id).then().extract().path("nodeId").toString();
        assertThat(changes.ids(Kind.MATTER_NODE)).contains(nodeId);
        assertThat(changes.heard).filteredOn(c -> c.kind() == Kind.COMMISSIONING)
                .allMatch(c -> c.tags() == null, "heard only by callers with the whole fleet in scope");
    }

    @Test
    void aNodeIsAnnouncedWhenAddedUpdatedAndRemoved() {
        BigInteger light = peer.addVirtualLight();
        await().atMost(TIMEOUT).until(() -> changes.ids(Kind.MATTER_NODE).contains(light.toString()));
        changes.heard.clear();
        peer.updateAttribute(light, "1/6/0", true);
        await().atMost(TIMEOUT).until(() -> changes.ids(Kind.MATTER_NODE).contains(light.toString()));
        changes.heard.clear();
        peer.removeNode(light);
        await().atMost(TIMEOUT).until(() -> changes.ids(Kind.MATTER_NODE).contains(light.toString()));
    }

    @Test
    void losingAndRegainingTheMatterServerIsAnnounced() {
        peer.dropConnections();
        await().atMost(TIMEOUT).until(() -> changes.heard.contains(new Change(Kind.MATTER_NODE, null, null))
                && changes.ids(Kind.MATTER_SERVER).contains(MatterClient.SERVER));
        await().atMost(TIMEOUT).until(() -> client.state().connected());
        changes.heard.clear();
        peer.updateServerInfo(peer.serverInfo().withCredentials(true, false));
        await().atMost(TIMEOUT).until(() -> changes.ids(Kind.MATTER_SERVER).contains(MatterClient.SERVER));
    }
}
