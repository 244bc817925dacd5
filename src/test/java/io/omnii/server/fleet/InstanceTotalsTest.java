package io.omnii.server.fleet;

import static io.omnii.server.testsupport.Api.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * GET /instances takes its total from the kept counts (instance_count), not from counting the table: they must
 * follow every change of state, whoever makes it.
 */
@QuarkusTest
class InstanceTotalsTest extends ServerTest {

    @Inject
    Vertx vertx;

    @Inject
    PresenceSweep presence;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    @Test
    void listingTotalsFollowEnrollmentTelemetrySweepAndDecommissioning() throws Exception {
        String a = Api.enrollInstance("A");
        String b = Api.enrollInstance("B");
        String c = Api.enrollInstance("C");
        assertTotals(3, 0, 3, 0, 0);

        try (FakeInstance ia = FakeInstance.connect(vertx, mqttPort, a);
                FakeInstance ib = FakeInstance.connect(vertx, mqttPort, b)) {
            ia.heartbeat(clock.millis());
            ib.status("error", "2024.1.0", clock.millis());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTotals(3, 1, 1, 1, 0));
        }

        clock.advance(Duration.ofMinutes(5));
        assertThat(presence.sweep()).isEqualTo(2);
        assertTotals(3, 0, 3, 0, 0);

        admin().delete("/instances/" + c).then().statusCode(204);
        assertTotals(2, 0, 2, 0, 1);
        admin().queryParam("name", "a").get("/instances").then().body("total", equalTo(1));
    }

    @Test
    void theNeverSeenCountFollowsEnrollmentAFirstReportOfAnyKindAndDecommissioning() throws Exception {
        String a = Api.enrollInstance("A");
        String b = Api.enrollInstance("B");
        String c = Api.enrollInstance("C");
        assertNeverSeen(3);
        try (FakeInstance ia = FakeInstance.connect(vertx, mqttPort, a);
                FakeInstance ib = FakeInstance.connect(vertx, mqttPort, b)) {
            // Metrics change no status, but they are a sign of life: A was seen.
            ia.publish("metrics", "{\"metadata\": {\"cpuPercent\": 3}, \"timestamp\": " + clock.millis() + "}");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertNeverSeen(2));
            ib.heartbeat(clock.millis());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertNeverSeen(1));
        }
        admin().delete("/instances/" + c).then().statusCode(204);
        assertNeverSeen(0);
        admin().queryParam("status", "offline").get("/instances").then().body("total", equalTo(1));
    }

    /** The kept count of the never seen, and the rows it counts. */
    private void assertNeverSeen(int n) {
        assertThat(db.count("SELECT n FROM instance_count WHERE status = 'never_seen'")).isEqualTo(n);
        assertThat(db.count("SELECT count(*) FROM instance WHERE status = 'offline' AND last_seen_at IS NULL"))
                .isEqualTo(n);
    }

    private void assertTotals(int all, int online, int offline, int error, int decommissioned) {
        admin().get("/instances").then().body("total", equalTo(all));
        admin().queryParam("status", "online").get("/instances").then().body("total", equalTo(online));
        admin().queryParam("status", "offline").get("/instances").then().body("total", equalTo(offline));
        admin().queryParam("status", "error").get("/instances").then().body("total", equalTo(error));
        admin().queryParam("status", "decommissioned").get("/instances").then().body("total",
                equalTo(decommissioned));
        assertThat(db.count("SELECT count(*) FROM instance WHERE status <> 'decommissioned'")).isEqualTo(all);
    }
}
