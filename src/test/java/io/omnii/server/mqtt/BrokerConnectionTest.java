package io.omnii.server.mqtt;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnii.server.testsupport.FakeInstance;
import io.omnii.server.testsupport.LocalServicesResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

@QuarkusTest
class BrokerConnectionTest {

    // Management URLs are relative to the non-application root (/q).
    @TestHTTPResource(value = "/health/ready", management = true)
    URL readiness;

    @Inject
    BrokerConnection broker;

    @Inject
    Vertx vertx;

    @Test
    void messageFromAnEarlierConnectionIsNeverAcknowledgedOnTheNextOne() throws Exception {
        awaitBroker("UP");
        String topic = "omnii-test/stale-ack";
        BlockingQueue<BrokerConnection.Received> arrived = new LinkedBlockingQueue<>();
        broker.subscribe(List.of(topic), 1, m -> {
            if (m.topic().equals(topic)) {
                arrived.add(m);
            }
        });
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            publish(topic, "probe");
            return arrived.poll(500, TimeUnit.MILLISECONDS) != null;
        });
        arrived.clear();
        publish(topic, "before");
        BrokerConnection.Received before = awaitMessage(arrived, "before");

        LocalServicesResource.broker().close();
        try {
            awaitBroker("DOWN");
        } finally {
            LocalServicesResource.broker().resume();
        }
        awaitBroker("UP");

        // Its packet id belongs to the old connection: on this one it could name another message.
        assertFalse(broker.ack(before));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            publish(topic, "after");
            return arrived.stream().anyMatch(m -> text(m).equals("after"));
        });
        assertTrue(broker.ack(awaitMessage(arrived, "after")));
    }

    private void publish(String topic, String text) throws Exception {
        try (FakeInstance publisher = FakeInstance.connect(vertx, LocalServicesResource.broker().port(), "stale-ack")) {
            publisher.publishTo(topic, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static BrokerConnection.Received awaitMessage(BlockingQueue<BrokerConnection.Received> arrived,
            String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            BrokerConnection.Received m = arrived.poll(200, TimeUnit.MILLISECONDS);
            if (m != null && text(m).equals(text)) {
                return m;
            }
        }
        throw new AssertionError("no message '" + text + "' arrived");
    }

    private static String text(BrokerConnection.Received m) {
        return new String(m.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void readinessFollowsTheBrokerAndTheServerReconnects() throws Exception {
        awaitBroker("UP");
        LocalServicesResource.broker().close();
        try {
            awaitBroker("DOWN");
            given().get(readiness).then().statusCode(503);
        } finally {
            LocalServicesResource.broker().resume();
        }
        awaitBroker("UP");
        given().get(readiness).then().statusCode(200);
    }

    private void awaitBroker(String status) {
        Awaitility.await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                given().get(readiness).then().body("checks.find { it.name == 'MQTT broker' }.status", equalTo(status)));
    }
}
