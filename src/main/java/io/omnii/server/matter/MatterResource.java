package io.omnii.server.matter;

import io.omnii.server.audit.AuditCaller;
import io.omnii.server.common.Roles;
import io.omnii.server.matter.MatterPayloads.ServerView;
import io.omnii.server.matter.MatterPayloads.ThreadDatasetRequest;
import io.omnii.server.matter.MatterPayloads.WifiCredentialsRequest;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;

/** The Matter Server itself: its connection and info, and the network credentials it hands to new devices. */
@Path("/matter")
@Produces(MediaType.APPLICATION_JSON)
public class MatterResource {

    private final MatterRelay relay;
    private final AuditCaller caller;

    MatterResource(MatterRelay relay, AuditCaller caller) {
        this.caller = caller;
        this.relay = relay;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/server")
    public ServerView server() {
        return relay.server();
    }

    /** 204 once the Matter Server holds them; the password is never stored, logged or returned. */
    @RolesAllowed(Roles.ADMIN)
    @PUT
    @Path("/credentials/wifi")
    @Consumes(MediaType.APPLICATION_JSON)
    @Extension(name = MatterApiDocumentFilter.RELAYED, value = "true")
    public Uni<Void> wifi(WifiCredentialsRequest request) {
        return relay.setWifiCredentials(request, caller.actor());
    }

    @RolesAllowed(Roles.ADMIN)
    @PUT
    @Path("/credentials/thread")
    @Consumes(MediaType.APPLICATION_JSON)
    @Extension(name = MatterApiDocumentFilter.RELAYED, value = "true")
    public Uni<Void> thread(ThreadDatasetRequest request) {
        return relay.setThreadDataset(request, caller.actor());
    }
}
