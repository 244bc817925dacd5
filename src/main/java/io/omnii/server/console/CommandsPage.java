package io.omnii.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.omnii.server.command.CommandName;
import io.omnii.server.command.CommandPayloads.BatchView;
import io.omnii.server.command.CommandPayloads.BulkCommandRequest;
import io.omnii.server.command.CommandPayloads.Target;
import io.omnii.server.command.CommandService;
import io.omnii.server.command.CommandState;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import io.omnii.server.fleet.Instance;
import io.omnii.server.fleet.InstanceService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Bulk commands: one command to the instances picked by tags, by status or by a selection from the fleet table, and
 * each batch's progress by state, live. The same service calls as POST /commands and GET /command-batches/{id}.
 */
@Path("/console/commands")
@Produces(MediaType.TEXT_HTML)
public class CommandsPage {

    /** How many recent batches the page lists. */
    static final int RECENT = 20;
    /** What "target" in the form may say. */
    static final String BY_TAGS = "tags";
    static final String BY_STATUS = "status";
    static final String BY_SELECTION = "selection";

    /** An instance picked on the fleet page. */
    public record Picked(UUID id, String name) {
    }

    /** A batch and how many of its commands have settled (no longer queued or being sent). */
    public record Progress(BatchView batch, long settled) {

        static Progress of(BatchView batch) {
            long moving = batch.counts().getOrDefault(CommandState.QUEUED.wire(), 0L)
                    + batch.counts().getOrDefault(CommandState.SENDING.wire(), 0L);
            return new Progress(batch, batch.total() - moving);
        }

        public boolean done() {
            return settled == batch.total();
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance commands(Chrome chrome, List<Picked> picked, int missing, List<String> names,
                List<Progress> batches);

        static native TemplateInstance commands$batches(Chrome chrome, List<Progress> batches);

        static native TemplateInstance batch(Chrome chrome, Progress progress);

        static native TemplateInstance batch$progress(Chrome chrome, Progress progress);
    }

    private final CommandService commands;
    private final InstanceService instances;
    private final ConsoleRequest console;

    CommandsPage(CommandService commands, InstanceService instances, ConsoleRequest console) {
        this.commands = commands;
        this.instances = instances;
        this.console = console;
    }

    /**
     * The form, with the instances the fleet page picked ({@code ?instance=<id>&instance=...}) preselected by name.
     * Ids that are not instances of the caller's scope are only counted, never named: unknown and out of scope look
     * the same.
     */
    @RolesAllowed(Roles.VIEWER)
    @GET
    public TemplateInstance commands(@QueryParam("instance") List<String> ids) {
        if (ids.size() > Page.MAX_SIZE) {
            throw ApiException.invalid("instance", "at most " + Page.MAX_SIZE + " instances at once");
        }
        List<Picked> picked = new ArrayList<>();
        int missing = 0;
        for (String id : ids.stream().distinct().toList()) {
            Optional<Instance> found = Ids.parse(id).flatMap(uuid -> instances.find(console.caller().scope(), uuid))
                    .filter(i -> !i.isDecommissioned());
            if (found.isPresent()) {
                picked.add(new Picked(found.get().id, found.get().name));
            } else {
                missing++;
            }
        }
        List<String> names = Arrays.stream(CommandName.values()).map(CommandName::wire).toList();
        return Templates.commands(console.chrome("commands"), picked, missing, names, recent());
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/batches")
    public TemplateInstance batches() {
        return Templates.commands$batches(console.chrome("commands"), recent());
    }

    /** Queues the batch and sends the browser to its page. */
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response send(@FormParam("command") String command, @FormParam("entityId") String entityId,
            @FormParam("target") String target, @FormParam("tags") String tags, @FormParam("status") String status,
            @FormParam("instance") List<String> selected) {
        String name = Forms.text("command", command);
        JsonNode payload = null;
        String entity = Forms.text("entityId", entityId);
        if (entity != null) {
            payload = JsonNodeFactory.instance.objectNode().put("entity_id", entity);
        }
        String by = Forms.text("target", target);
        Target chosen;
        if (BY_TAGS.equals(by)) {
            List<String> picked = Forms.tags("tags", tags); // malformed tags are refused by the request's @OneTarget
            chosen = new Target(null, null, picked == null ? List.of() : picked);
        } else if (BY_STATUS.equals(by)) {
            chosen = new Target(null, Forms.text("status", status), null);
        } else if (BY_SELECTION.equals(by)) {
            if (selected.isEmpty()) {
                throw ApiException.invalid("instance", "pick at least one instance");
            }
            selected.forEach(id -> Forms.text("instance", id));
            chosen = new Target(List.copyOf(selected), null, null);
        } else {
            throw ApiException.invalid("target", "must be tags, status or selection");
        }
        // The service validates the request as POST /commands does.
        BatchView batch = commands.sendToMany(console.caller().scope(),
                new BulkCommandRequest(name, payload, null, chosen), console.caller().actor());
        return Response.noContent().header("HX-Redirect", "/console/commands/batches/" + batch.batchId()).build();
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/batches/{id}")
    public TemplateInstance batch(@PathParam("id") String id) {
        return Templates.batch(console.chrome("commands"), find(id));
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/batches/{id}/progress")
    public TemplateInstance progress(@PathParam("id") String id) {
        return Templates.batch$progress(console.chrome("commands"), find(id));
    }

    private Progress find(String id) {
        return commands.batch(console.caller().scope(), Ids.pathId(id, "Command batch")).map(Progress::of)
                .orElseThrow(() -> ApiException.notFound("Command batch"));
    }

    private List<Progress> recent() {
        return commands.recentBatches(console.caller().scope(), RECENT).stream().map(Progress::of).toList();
    }
}
