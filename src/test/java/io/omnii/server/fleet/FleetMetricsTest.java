package io.omnii.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.replica.Leadership;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * omnii_instances is exported by the leading replica only, so a sum over replicas is the fleet's count. Another
 * replica is a row in the lease table; the leadership moves with the real heartbeat (2 s in the tests).
 */
@QuarkusTest
class FleetMetricsTest extends ServerTest {

    private static final Duration MOVES = Duration.ofSeconds(10);

    @Inject
    MeterRegistry registry;

    @Inject
    Leadership leadership;

    @AfterEach
    void leadAgain() {
        db.execute("DELETE FROM lease");
        await().atMost(MOVES).until(leadership::isLeader);
    }

    private Double offline() {
        Gauge gauge = registry.find("omnii.instances").tag("state", "offline").gauge();
        return gauge == null ? null : gauge.value();
    }

    @Test
    void theInstanceGaugesGoWithTheLeadershipAndComeBackCounted() {
        await().atMost(MOVES).until(leadership::isLeader);
        assertThat(registry.find("omnii.instances").gauges()).hasSize(InstanceStatus.values().length);

        db.execute("UPDATE lease SET holder = '" + UUID.randomUUID() + "', expires_at = clock_timestamp()"
                + " + interval '1 minute' WHERE name = 'leader'");
        await().atMost(MOVES).until(() -> !leadership.isLeader());
        await().atMost(MOVES).until(() -> registry.find("omnii.instances").gauges().isEmpty());

        Api.enrollInstance("Counted by the next leader");
        db.execute("DELETE FROM lease");
        await().atMost(MOVES).until(() -> offline() != null);
        assertThat(offline()).as("counted before it was exported").isEqualTo(1);
    }
}
