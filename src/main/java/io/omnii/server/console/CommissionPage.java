package io.omnii.server.console;

import io.omnii.server.common.ApiException;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import io.omnii.server.console.MatterViews.ServerFacts;
import io.omnii.server.matter.CommissioningService;
import io.omnii.server.matter.MatterInventory;
import io.omnii.server.matter.MatterPayloads.CommissioningRequest;
import io.omnii.server.matter.MatterPayloads.CommissioningView;
import io.omnii.server.matter.MatterPayloads.NodeView;
import io.omnii.server.matter.MatterPayloads.ThreadDatasetRequest;
import io.omnii.server.matter.MatterPayloads.WifiCredentialsRequest;
import io.omnii.server.matter.MatterRelay;
import io.omnii.server.matter.ServesMatter;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * Commissioning a device: a QR or manual code (typed, pasted or scanned with the camera by assets/matter.js), how
 * it joins the network, and the attempt followed live until its node appears. Admins also set the Wi-Fi and Thread
 * credentials the Matter Server hands to new devices here; they are never shown back.
 */
@Path("/console/matter/commission")
@Produces(MediaType.TEXT_HTML)
@ServesMatter
public class CommissionPage {

    static final int RECENT = 10;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance commission(Chrome chrome, ServerFacts server, List<CommissioningView> attempts);

        static native TemplateInstance commission$attempts(List<CommissioningView> attempts);

        static native TemplateInstance attempt(CommissioningView attempt, NodeView node, boolean fresh);

        static native TemplateInstance saved(String message);
    }

    private final CommissioningService commissioning;
    private final MatterRelay relay;
    private final MatterInventory inventory;
    private final ConsoleRequest console;

    CommissionPage(CommissioningService commissioning, MatterRelay relay, MatterInventory inventory,
            ConsoleRequest console) {
        this.commissioning = commissioning;
        this.relay = relay;
        this.inventory = inventory;
        this.console = console;
    }

    @RolesAllowed(Roles.OPERATOR)
    @GET
    @Blocking
    public TemplateInstance page() {
        return Templates.commission(console.chrome("matter"), ServerFacts.of(relay.server()), recent());
    }

    /**
     * Starts an attempt. "wifi" and "thread" commission over Bluetooth, the device then joining the network with the
     * credentials the Matter Server holds; "network" finds a device already on the IP network (network-only).
     */
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Blocking
    public TemplateInstance start(@FormParam("code") String code, @FormParam("network") String network) {
        boolean networkOnly = switch (Forms.typed("network", network) == null ? "" : network) {
            case "wifi", "thread" -> false;
            case "network" -> true;
            default -> throw ApiException.invalid("network", "is wifi, thread or network");
        };
        CommissioningView started = commissioning.start(new CommissioningRequest(Forms.typed("code", code),
                networkOnly, null, null, null, null, null, null), console.caller().actor());
        return Templates.attempt(started, null, true);
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/attempts")
    @Blocking
    public TemplateInstance attempts() {
        return Templates.commission$attempts(recent());
    }

    /** One attempt as it stands, with its node once it succeeded. */
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/attempts/{id}")
    @Blocking
    public TemplateInstance attempt(@PathParam("id") String id) {
        CommissioningView attempt = commissioning.find(Ids.pathId(id, "Commissioning"))
                .orElseThrow(() -> ApiException.notFound("Commissioning"));
        NodeView node = attempt.nodeId() == null ? null : inventory.node(attempt.nodeId()).orElse(null);
        return Templates.attempt(attempt, node, false);
    }

    /** The password is relayed, never stored, logged or shown again. */
    @RolesAllowed(Roles.ADMIN)
    @POST
    @Path("/credentials/wifi")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<TemplateInstance> wifi(@FormParam("ssid") String ssid, @FormParam("password") String password) {
        WifiCredentialsRequest request = new WifiCredentialsRequest(Forms.typed("ssid", ssid),
                Forms.typed("password", password == null ? "" : password), null);
        return relay.setWifiCredentials(request, console.caller().actor())
                .map(done -> Templates.saved("The Matter Server now has the Wi-Fi credentials."));
    }

    /** The dataset holds the Thread network key: relayed, never stored, logged or shown again. */
    @RolesAllowed(Roles.ADMIN)
    @POST
    @Path("/credentials/thread")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<TemplateInstance> thread(@FormParam("dataset") String dataset) {
        return relay.setThreadDataset(new ThreadDatasetRequest(Forms.typed("dataset", dataset), null),
                console.caller().actor()).map(done -> Templates.saved("The Matter Server now has the Thread dataset."));
    }

    private List<CommissioningView> recent() {
        return commissioning.list(new Page.PageRequest(0, RECENT)).items();
    }
}
