package io.omnii.server.broker;

import io.omnii.server.common.ApiException;
import io.omnii.server.common.Ids;
import io.omnii.server.fleet.Instance;
import io.omnii.server.fleet.InstanceRepository;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** POST /instances/{id}/credentials/rotate: a new broker password for the instance, shown once. */
@Path("/instances/{id}/credentials")
@Produces(MediaType.APPLICATION_JSON)
public class CredentialsResource {

    /** The instance's new broker credentials. */
    public record RotatedCredentials(String mqttUsername, String mqttPassword) {
    }

    private final BrokerAccounts accounts;
    private final InstanceRepository instances;

    CredentialsResource(BrokerAccounts accounts, InstanceRepository instances) {
        this.accounts = accounts;
        this.instances = instances;
    }

    @POST
    @Path("/rotate")
    @Transactional
    @APIResponse(responseCode = "200", description = "The new credentials, shown this once")
    @APIResponse(responseCode = "409", description = "No per-instance broker accounts (`provisioning_off`), or a"
            + " decommissioned instance (`instance_decommissioned`)")
    @APIResponse(responseCode = "503", description = "The broker could not be updated (`broker_provisioning_failed`)")
    public RotatedCredentials rotate(@PathParam("id") String id) {
        if (!accounts.enabled()) {
            throw new ApiException(409, "provisioning_off",
                    "The broker has no per-instance accounts (omnii.mqtt.provisioning.mode is none)");
        }
        UUID instanceId = Ids.pathId(id, "Instance");
        // The lock decommissioning takes: a rotation never recreates the account of an instance going away.
        Instance instance = instances.findByIdOptional(instanceId, LockModeType.PESSIMISTIC_WRITE)
                .orElseThrow(() -> ApiException.notFound("Instance"));
        if (instance.isDecommissioned()) {
            throw new ApiException(409, "instance_decommissioned", "A decommissioned instance has no broker account");
        }
        BrokerAccounts.Credentials credentials = accounts.rotate(instance.id, instance.mqttClientId);
        return new RotatedCredentials(credentials.username(), credentials.password());
    }
}
