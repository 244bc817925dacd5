package io.omnii.server.console;

import io.omnii.server.common.Roles;
import io.omnii.server.console.MatterViews.ServerFacts;
import io.omnii.server.matter.MatterInventory;
import io.omnii.server.matter.MatterPayloads.NodeView;
import io.omnii.server.matter.MatterRelay;
import io.omnii.server.matter.ServesMatter;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The Matter Server's connection and its nodes, live. Only for callers with the whole fleet in scope. */
@Path("/console/matter")
@Produces(MediaType.TEXT_HTML)
@ServesMatter
public class MatterPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance matter(Chrome chrome, ServerFacts server, List<NodeView> nodes);

        static native TemplateInstance matter$server(ServerFacts server);

        static native TemplateInstance matter$nodes(List<NodeView> nodes);
    }

    private final MatterRelay relay;
    private final MatterInventory inventory;
    private final ConsoleRequest console;

    MatterPage(MatterRelay relay, MatterInventory inventory, ConsoleRequest console) {
        this.relay = relay;
        this.inventory = inventory;
        this.console = console;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Blocking
    public TemplateInstance page() {
        return Templates.matter(console.chrome("matter"), ServerFacts.of(relay.server()), inventory.nodes());
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/server")
    public TemplateInstance server() {
        return Templates.matter$server(ServerFacts.of(relay.server()));
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/nodes")
    @Blocking
    public TemplateInstance nodes() {
        return Templates.matter$nodes(inventory.nodes());
    }
}
