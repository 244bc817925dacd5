package io.omnii.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnii.server.fleet.InstanceWriter;
import io.omnii.server.fleet.PresenceConfig;
import io.omnii.server.fleet.PresenceSweep;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.People;
import io.omnii.server.testsupport.ScopedFleet;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Every change of an instance's status reaches the console's live stream after its commit, and only then. */
@QuarkusTest
class InstanceLiveChangesTest extends ServerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TestHTTPResource("/")
    URL server;

    @Inject
    InstanceWriter writer;

    @Inject
    PresenceSweep sweep;

    @Inject
    PresenceConfig presence;

    @Inject
    ScopedFleet fleet;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "omnii.mqtt.port")
    int mqttPort;

    private LiveStream stream(String user, String role, String... scope) throws Exception {
        People.user(user, role, scope);
        return LiveStream.open(server, People.signIn(user));
    }

    private static boolean names(LiveStream.Event e, String id) {
        return "instance".equals(e.name()) && Arrays.asList(e.data().split(" ")).contains(id);
    }

    @Test
    void enrollmentRenamingAndDecommissioningAreAnnounced() throws Exception {
        try (LiveStream live = stream("ada", "admin")) {
            String id = Api.enrollInstance("kitchen");
            live.until(e -> names(e, id), WAIT);
            Api.admin().body(Map.of("name", "pantry")).patch("/instances/" + id).then().statusCode(200);
            live.until(e -> names(e, id), WAIT);
            Api.admin().delete("/instances/" + id).then().statusCode(204);
            live.until(e -> names(e, id), WAIT);
        }
    }

    @Test
    void aHeartbeatAndTheSweepAreAnnounced() throws Exception {
        String id = Api.enrollInstance("garage");
        try (LiveStream live = stream("ada", "viewer"); FakeInstance home = FakeInstance.connect(vertx, mqttPort, id)) {
            live.during(Duration.ofMillis(800)); // the enrollment's own event, if anyone was listening then
            home.heartbeat(clock.millis());
            live.until(e -> names(e, id), WAIT);
            clock.advance(presence.presenceTimeout().plusMinutes(1));
            assertThat(sweep.sweep()).isEqualTo(1);
            live.until(e -> names(e, id), WAIT);
        }
    }

    @Test
    void aFirstMetricsMessageIsAnnouncedThoughTheStatusStaysTheSame() throws Exception {
        String id = Api.enrollInstance("quiet");
        try (LiveStream live = stream("ada", "viewer"); FakeInstance home = FakeInstance.connect(vertx, mqttPort, id)) {
            live.during(Duration.ofMillis(800));
            home.publish("metrics", "{\"uptimeSeconds\": 5, \"timestamp\": " + clock.millis() + "}");
            live.until(e -> names(e, id), WAIT); // no longer "never seen"
        }
    }

    @Test
    void aRolledBackEnrollmentIsNeverAnnounced() throws Exception {
        try (LiveStream live = stream("ada", "viewer")) {
            AtomicReference<String> ghost = new AtomicReference<>();
            assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
                ghost.set(writer.enroll("ghost", List.of(), clock.instant()).id.toString());
                throw new IllegalStateException("rolled back");
            })).hasMessageContaining("rolled back");
            String real = Api.enrollInstance("real");
            List<LiveStream.Event> heard = live.until(e -> names(e, real), WAIT);
            heard.addAll(live.during(Duration.ofSeconds(1)));
            assertThat(heard).noneMatch(e -> names(e, ghost.get()) || "*".equals(e.data()));
        }
    }

    @Test
    void aScopedPageHearsOnlyOfItsOwnInstances() throws Exception {
        try (LiveStream live = stream("sam", "viewer", ScopedFleet.SMITH_TAG)) {
            String jones = fleet.enroll(ScopedFleet.JONES, "jones home");
            String smith = fleet.enroll(ScopedFleet.SMITH, "smith home");
            List<LiveStream.Event> heard = live.until(e -> names(e, smith), WAIT);
            heard.addAll(live.during(Duration.ofSeconds(1)));
            assertThat(heard).noneMatch(e -> e.data().contains(jones));
        }
    }

    @Test
    void aSweepOfMoreThanAHundredIsAnnouncedOnceAsMany() throws Exception {
        try (LiveStream live = stream("ada", "viewer")) {
            goneQuiet(100);
            assertThat(sweep.sweep()).isEqualTo(100);
            LiveStream.Event few = live.until(e -> "instance".equals(e.name()), WAIT).get(0);
            assertThat(few.data().split(" ")).hasSize(100);

            goneQuiet(101);
            assertThat(sweep.sweep()).isEqualTo(101);
            List<LiveStream.Event> heard = live.until(e -> "instance".equals(e.name()), WAIT);
            assertThat(heard.get(heard.size() - 1).data()).isEqualTo("*");
        }
    }

    /** {@code n} online instances last heard of an hour ago (the counts kept right, as the writer keeps them). */
    private void goneQuiet(int n) {
        db.execute("""
                INSERT INTO instance (id, name, tags, mqtt_client_id, status, status_changed_at, enrolled_at,
                                      last_seen_at)
                SELECT id, 'quiet', '{}', 'ha-' || id, 'online', now(), now(), now() - interval '1 hour'
                  FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, %d)) g""".formatted(n));
        db.execute("UPDATE instance_count SET n = n + " + n + " WHERE status = 'online'");
    }
}
