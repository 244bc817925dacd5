package io.omnii.server.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** omnii.mqtt.session-expiry: what MQTT 5 can say, and no 0, which would keep nothing while a replica restarts. */
class SessionExpiryTest {

    @Test
    void sessionExpiryIsSentInWholeSecondsUpToMqtt5sLargest() {
        assertThat(BrokerConnection.sessionExpirySeconds(Duration.ofHours(1))).isEqualTo(3600);
        assertThat(BrokerConnection.sessionExpirySeconds(Duration.ofSeconds(1))).isEqualTo(1);
        assertThat(BrokerConnection.sessionExpirySeconds(Duration.ofSeconds(4_294_967_295L))).isEqualTo(4_294_967_295L);
    }

    @Test
    void sessionExpiryOutsideOneSecondToMqtt5sLargestIsRefused() {
        for (Duration refused : new Duration[] {Duration.ZERO, Duration.ofMillis(999), Duration.ofSeconds(-5),
                Duration.ofSeconds(4_294_967_296L)}) {
            assertThatThrownBy(() -> BrokerConnection.sessionExpirySeconds(refused))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("(OMNII_MQTT_SESSION_EXPIRY) must be from 1s to 4294967295s");
        }
    }
}
