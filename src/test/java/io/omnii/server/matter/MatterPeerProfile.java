package io.omnii.server.matter;

import static org.awaitility.Awaitility.await;

import io.omnii.server.matter.peer.MatterServerPeer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A Quarkus test profile with the Matter relay pointed at a {@link MatterServerPeer}. */
public class MatterPeerProfile implements QuarkusTestProfile {

    private static volatile MatterServerPeer peer;

    public static MatterServerPeer peer() {
        return peer;
    }

    /** The peer, started again if a test stopped it, once {@code client} listens to it. */
    public static MatterServerPeer listening(MatterClient client) {
        peer.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> client.state().connected());
        return peer;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PeerResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        // Quick retries keep the reconnect tests short; short timeouts let the timeout tests wait seconds, not minutes.
        return Map.of("omnii.matter.max-reconnect-delay", "2s",
                "omnii.matter.commissioning-timeout", "4s",
                "omnii.matter.interview-timeout", "4s",
                "omnii.matter.command-timeout", "4s");
    }

    public static class PeerResource implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            peer = new MatterServerPeer().start();
            return Map.of("omnii.matter.url", peer.url());
        }

        @Override
        public void stop() {
            if (peer != null) {
                peer.close();
            }
        }
    }
}
