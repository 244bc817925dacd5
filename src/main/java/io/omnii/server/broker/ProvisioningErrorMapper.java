package io.omnii.server.broker;

import io.omnii.server.common.ApiError;
import io.quarkus.logging.Log;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The broker could not be provisioned: a 503 saying nothing was changed, details in our log only. */
public class ProvisioningErrorMapper {

    @ServerExceptionMapper
    public Response map(BrokerAccounts.ProvisioningException e) {
        Log.errorf("%s", e.getMessage());
        return Response.status(503).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(503, "broker_provisioning_failed",
                        "The MQTT broker could not update the instance's account; nothing was changed. Retry shortly."))
                .build();
    }
}
