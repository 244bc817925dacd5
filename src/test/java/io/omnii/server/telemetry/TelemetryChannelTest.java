package io.omnii.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnii.server.mqtt.MqttInboundConnector;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/**
 * The telemetry channel's connector is chosen by a string in application.properties: it must name our acknowledging
 * connector, whose name is a constant the Java side uses.
 */
@QuarkusTest
class TelemetryChannelTest {

    @Inject
    Config config;

    @Test
    void theTelemetryChannelReadsFromOurAcknowledgingConnector() {
        assertThat(config.getValue("mp.messaging.incoming." + Channels.TELEMETRY + ".connector", String.class))
                .isEqualTo(MqttInboundConnector.NAME);
    }
}
