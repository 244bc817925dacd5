package io.omnii.server.console;

import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import io.omnii.server.fleet.InstanceQuery;
import io.omnii.server.fleet.InstanceService;
import io.omnii.server.fleet.InstanceView;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Optional;

/** The fleet at a glance: the console's home page. */
@Path("/console/")
@Produces(MediaType.TEXT_HTML)
public class FleetPage {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance fleet(Chrome chrome, List<InstanceView> instances, long total);
    }

    private final InstanceService instances;
    private final ConsoleRequest console;
    private final ConsoleConfig config;

    FleetPage(InstanceService instances, ConsoleRequest console, ConsoleConfig config) {
        this.instances = instances;
        this.console = console;
        this.config = config;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    public TemplateInstance fleet() {
        Page<InstanceView> page = instances.list(console.caller().scope(),
                new InstanceQuery(Optional.empty(), Optional.empty(), List.of()),
                new Page.PageRequest(0, config.pageSize())).map(InstanceView::of);
        return Templates.fleet(console.chrome("fleet"), page.items(), page.total());
    }
}
