package io.omnii.server.broker;

import io.omnii.server.auth.Caller;
import io.omnii.server.common.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** POST /instances/{id}/credentials/rotate: a new broker password for the instance, shown once. */
@Path("/instances/{id}/credentials")
@Produces(MediaType.APPLICATION_JSON)
public class CredentialsResource {

    /** The instance's new broker credentials. */
    public record RotatedCredentials(String mqttUsername, String mqttPassword) {
    }

    private final CredentialsService credentials;
    private final Caller caller;

    CredentialsResource(CredentialsService credentials, Caller caller) {
        this.credentials = credentials;
        this.caller = caller;
    }

    @RolesAllowed(Roles.ADMIN)
    @POST
    @Path("/rotate")
    @APIResponse(responseCode = "200", description = "The new credentials, shown this once")
    @APIResponse(responseCode = "409", description = "No per-instance broker accounts (`provisioning_off`), or a"
            + " decommissioned instance (`instance_decommissioned`)")
    @APIResponse(responseCode = "503", description = "The broker could not be updated (`broker_provisioning_failed`)")
    public RotatedCredentials rotate(@PathParam("id") String id) {
        BrokerAccounts.Credentials rotated = credentials.rotate(caller.scope(), id, caller.actor());
        return new RotatedCredentials(rotated.username(), rotated.password());
    }
}
