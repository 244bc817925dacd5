package io.omnii.server.mqtt;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.reactive.messaging.connector.InboundConnector;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;

/**
 * An MQTT source for reactive messaging channels whose messages are acknowledged to the broker only when the
 * application acks them (the HiveMQ client with manual acknowledgement, in {@link BrokerConnection}). SmallRye's own
 * MQTT connector lets the client PUBACK on arrival, before anything is stored, so a crash in between would lose the
 * message (docs/mqtt.md).
 *
 * <p>Channel attributes: {@code topics}, comma-separated filters (default: every instance's telemetry), subscribed
 * at QoS 1 inside the configured shared-subscription group.
 */
@ApplicationScoped
@Connector(MqttInboundConnector.NAME)
public class MqttInboundConnector implements InboundConnector {

    public static final String NAME = "omnii-mqtt";

    private final BrokerConnection broker;
    private final MqttConfig config;

    MqttInboundConnector(BrokerConnection broker, MqttConfig config) {
        this.broker = broker;
        this.config = config;
    }

    /** The topic a message arrived on. */
    public record Received(String topic) {
    }

    @Override
    public Flow.Publisher<? extends Message<?>> getPublisher(Config channel) {
        List<String> filters = channel.getOptionalValue("topics", String.class)
                .map(t -> Arrays.stream(t.split(",")).map(String::strip).filter(f -> !f.isEmpty()).toList())
                .orElse(Topics.TELEMETRY_FILTERS)
                .stream().map(f -> Topics.shared(config.sharedGroup(), f)).toList();
        return Multi.createFrom().<Message<byte[]>>emitter(
                emitter -> broker.subscribe(filters, 1, m -> emitter.emit(toMessage(m))), BackPressureStrategy.BUFFER);
    }

    private Message<byte[]> toMessage(BrokerConnection.Received m) {
        return Message.of(m.payload(), Metadata.of(new Received(m.topic())), () -> {
            m.ack(); // on the connection it came on: ours, or one adopting a departed replica's session
            return CompletableFuture.completedFuture(null);
        });
    }
}
