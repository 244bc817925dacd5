package io.omnii.server.matter;

import io.omnii.server.audit.AuditCaller;
import io.omnii.server.common.Roles;
import io.omnii.server.common.Times;
import io.omnii.server.matter.MatterInventory.StoredServerInfo;
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
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;

/** The Matter Server itself: its connection and info, and the network credentials it hands to new devices. */
@Path("/matter")
@Produces(MediaType.APPLICATION_JSON)
public class MatterResource {

    private final MatterClient client;
    private final MatterRelay relay;
    private final MatterInventory inventory;
    private final AuditCaller caller;

    MatterResource(MatterClient client, MatterRelay relay, MatterInventory inventory, AuditCaller caller) {
        this.caller = caller;
        this.client = client;
        this.relay = relay;
        this.inventory = inventory;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/server")
    public ServerView server() {
        MatterClient.State state = client.state();
        Optional<StoredServerInfo> info = inventory.serverInfo();
        return new ServerView(client.enabled(), state.connected(), Times.millis(state.since()),
                state.lastError().orElse(null), info.map(StoredServerInfo::info).orElse(null),
                info.map(i -> i.receivedAt().toEpochMilli()).orElse(null));
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
