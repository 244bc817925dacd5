package io.omnii.server.telemetry;

import static io.omnii.server.testsupport.ScopedFleet.JONES;
import static io.omnii.server.testsupport.ScopedFleet.SMITH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnii.server.auth.Scope;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Page;
import io.omnii.server.fleet.TransitionReason;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.ScopedFleet;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** An instance's metrics history and transitions answer 404 to a scope that does not admit it, as if it were missing. */
@QuarkusTest
class ScopedHistoryTest extends ServerTest {

    private static final Page.PageRequest FIRST = new Page.PageRequest(0, 50);

    @Inject
    HistoryService history;

    @Inject
    ScopedFleet fleet;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    @Test
    void anotherScopesInstanceHasNoHistory() throws Exception {
        String id = fleet.enroll(SMITH, "Smith house");
        UUID smith = UUID.fromString(id);
        try (FakeInstance instance = FakeInstance.connect(vertx, mqttPort, id)) {
            instance.publish("metrics", TelemetryIngestTest.metrics(clock.millis(), 0.9, "\"extra\": 1"));
        }
        Awaitility.await().pollInSameThread().atMost(Duration.ofSeconds(10)).until(() -> metrics(SMITH, smith).total() == 1);

        assertThat(metrics(Scope.ALL, smith).total()).isEqualTo(1);
        assertThat(history.events(SMITH, smith, FIRST).items()).extracting(HistoryService.Event::reason)
                .contains(TransitionReason.ENROLLED);
        assertThat(history.events(Scope.ALL, smith, FIRST).total()).isPositive();

        assertNotFound(() -> metrics(JONES, smith));
        assertNotFound(() -> history.events(JONES, smith, FIRST));
    }

    private Page<HistoryService.Sample> metrics(Scope scope, UUID id) {
        return history.metrics(scope, id, Instant.EPOCH, Instant.parse("9999-12-31T00:00:00Z"), FIRST);
    }

    private static void assertNotFound(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.toError().status()).isEqualTo(404));
    }
}
