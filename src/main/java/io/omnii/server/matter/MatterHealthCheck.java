package io.omnii.server.matter;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the Matter Server connection in the readiness details but always UP: the fleet must keep working (and
 * the pod stay ready) while the Matter Server restarts.
 */
@Readiness
@ApplicationScoped
public class MatterHealthCheck implements HealthCheck {

    private final MatterClient client;

    MatterHealthCheck(MatterClient client) {
        this.client = client;
    }

    @Override
    public HealthCheckResponse call() {
        MatterClient.State state = client.state();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Matter Server").up()
                .withData("enabled", client.enabled())
                .withData("connected", state.connected());
        if (state.since() != null) {
            response.withData("since", state.since().toString());
        }
        state.lastError().ifPresent(e -> response.withData("lastError", e));
        if (state.serverInfo() != null) {
            response.withData("schema", state.serverInfo().path("schema_version").asLong());
        }
        return response.build();
    }
}
