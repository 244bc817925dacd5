package io.omnii.server.telemetry;

import io.omnii.server.mqtt.MqttInboundConnector;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Takes each message off the telemetry channel, checks it, and queues it for the batched writer. Returning at once
 * keeps the stream flowing while a batch is written; the writer acknowledges each message after its commit.
 */
@ApplicationScoped
public class TelemetryConsumer {

    private final TelemetryParser parser;
    private final TelemetryWriter writer;
    private final Clock clock;

    TelemetryConsumer(TelemetryParser parser, TelemetryWriter writer, Clock clock) {
        this.parser = parser;
        this.writer = writer;
        this.clock = clock;
    }

    @Incoming(Channels.TELEMETRY)
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public CompletionStage<Void> receive(Message<byte[]> message) {
        long arrival = System.nanoTime();
        String topic = message.getMetadata(MqttInboundConnector.Received.class)
                .map(MqttInboundConnector.Received::topic).orElse(null);
        Instant now = clock.instant();
        writer.submit(new Pending(parser.parse(topic, message.getPayload(), now), message, now, arrival));
        return CompletableFuture.completedFuture(null);
    }
}
