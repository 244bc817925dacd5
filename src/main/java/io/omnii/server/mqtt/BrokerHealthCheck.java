package io.omnii.server.mqtt;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Not ready without the broker: the fleet speaks only MQTT. */
@Readiness
@ApplicationScoped
public class BrokerHealthCheck implements HealthCheck {

    private final BrokerConnection broker;

    BrokerHealthCheck(BrokerConnection broker) {
        this.broker = broker;
    }

    @Override
    public HealthCheckResponse call() {
        BrokerConnection.State state = broker.state();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("MQTT broker")
                .status(state.connected())
                .withData("broker", broker.address());
        if (state.since() != null) {
            response.withData("since", state.since().toString());
        }
        state.lastError().ifPresent(e -> response.withData("lastError", e));
        return response.build();
    }
}
