package io.omnii.server.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omnii.server.auth.Scope;
import io.omnii.server.broker.BrokerAccounts;
import io.omnii.server.broker.CredentialsService;
import io.omnii.server.command.CommandPayloads.CommandRequest;
import io.omnii.server.command.CommandPayloads.CommandView;
import io.omnii.server.command.CommandService;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import io.omnii.server.fleet.InstancePatch;
import io.omnii.server.fleet.InstanceService;
import io.omnii.server.fleet.InstanceView;
import io.omnii.server.telemetry.HistoryService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One instance: who it is, how its status went, its metrics over a chosen range, its commands live, and what an
 * operator (commands) or an admin (rename and tag, rotate broker credentials, decommission) may do to it. Every
 * action calls the service the API calls, with the signed-in person's scope and audit identity.
 */
@Path("/console/instances/{id}")
@Produces(MediaType.TEXT_HTML)
public class InstancePage {

    /** Status changes shown in the timeline, newest first; the API pages through all of them. */
    static final int TIMELINE = 20;
    static final int COMMANDS = 20;

    /** A chart range: how far back, and the bucket its samples are averaged over (about 60 to 170 points). */
    enum Range {
        HOUR("1h", Duration.ofHours(1), Duration.ofMinutes(1)),
        DAY("24h", Duration.ofDays(1), Duration.ofMinutes(10)),
        WEEK("7d", Duration.ofDays(7), Duration.ofHours(1)),
        MONTH("30d", Duration.ofDays(30), Duration.ofHours(6));

        final String label;
        final Duration span;
        final Duration step;

        Range(String label, Duration span, Duration step) {
            this.label = label;
            this.span = span;
            this.step = step;
        }

        static Range of(String label) {
            return Arrays.stream(values()).filter(r -> r.label.equals(label)).findFirst()
                    .orElseThrow(() -> ApiException.invalid("range", "must be 1h, 24h, 7d or 30d"));
        }
    }

    /** What the charts draw (assets/instance.js): bucket starts in epoch milliseconds, each series' averages. */
    public record Chart(String range, long from, long to, long step, List<Long> times,
            Map<String, List<Double>> series) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance page(Chrome chrome, InstanceView instance, List<HistoryService.Event> events,
                List<CommandView> commands, List<String> ranges);

        static native TemplateInstance page$overview(InstanceView instance, List<HistoryService.Event> events);

        static native TemplateInstance page$commands(InstanceView instance, List<CommandView> commands);

        static native TemplateInstance rotated(String mqttUsername, String mqttPassword);
    }

    private final InstanceService instances;
    private final CommandService commands;
    private final HistoryService history;
    private final CredentialsService credentials;
    private final ConsoleRequest console;
    private final ObjectMapper mapper;
    private final Clock clock;

    InstancePage(InstanceService instances, CommandService commands, HistoryService history,
            CredentialsService credentials, ConsoleRequest console, ObjectMapper mapper, Clock clock) {
        this.instances = instances;
        this.commands = commands;
        this.history = history;
        this.credentials = credentials;
        this.console = console;
        this.mapper = mapper;
        this.clock = clock;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    public TemplateInstance page(@PathParam("id") String id) {
        InstanceView instance = instance(id);
        return Templates.page(console.chrome("fleet"), instance, events(instance.id()), commands(instance.id()),
                Arrays.stream(Range.values()).map(r -> r.label).toList());
    }

    /** Identity, status and timeline: re-fetched when the instance changes. */
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/overview")
    public TemplateInstance overview(@PathParam("id") String id) {
        InstanceView instance = instance(id);
        return Templates.page$overview(instance, events(instance.id()));
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/commands")
    public TemplateInstance commandList(@PathParam("id") String id) {
        InstanceView instance = instance(id);
        return Templates.page$commands(instance, commands(instance.id()));
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/metrics")
    @Produces(MediaType.APPLICATION_JSON)
    public Chart metrics(@PathParam("id") String id, @QueryParam("range") @DefaultValue("24h") String range) {
        Range r = Range.of(range);
        UUID instanceId = Ids.pathId(id, "Instance");
        Instant to = clock.instant();
        Instant from = to.minus(r.span);
        HistoryService.Series series = history.series(scope(), instanceId, from, to, r.step);
        return new Chart(r.label, from.toEpochMilli(), to.toEpochMilli(), r.step.toMillis(), series.times(),
                series.series());
    }

    /** Queues a command, as POST /instances/{id}/commands does; answers the command list. */
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/commands")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public TemplateInstance send(@PathParam("id") String id, @FormParam("command") String command,
            @FormParam("entity_id") String entityId) {
        UUID instanceId = Ids.pathId(id, "Instance");
        ObjectNode payload = mapper.createObjectNode();
        if (entityId != null && !entityId.isBlank()) {
            payload.put("entity_id", entityId.strip());
        }
        commands.send(scope(), instanceId, new CommandRequest(command, payload, null), console.caller().actor());
        return commandList(id);
    }

    /** Renames and retags, as PATCH /instances/{id} does; tags are given comma-separated. Answers the overview. */
    @RolesAllowed(Roles.ADMIN)
    @POST
    @Path("/rename")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public TemplateInstance rename(@PathParam("id") String id, @FormParam("name") String name,
            @FormParam("tags") String tags) {
        UUID instanceId = Ids.pathId(id, "Instance");
        List<String> tagList = tags == null ? null
                : Arrays.stream(tags.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
        instances.update(scope(), instanceId, new InstancePatch(name, tagList), console.caller().actor());
        return overview(id);
    }

    /** A new broker password, shown in this answer (which no cache keeps) and never again. */
    @RolesAllowed(Roles.ADMIN)
    @POST
    @Path("/credentials")
    public Response rotate(@PathParam("id") String id) {
        BrokerAccounts.Credentials rotated = credentials.rotate(scope(), id, console.caller().actor());
        return Response.ok(Templates.rotated(rotated.username(), rotated.password()))
                .header("Cache-Control", "no-store").build();
    }

    /**
     * Decommissions, as DELETE /instances/{id} does, once the person typed the instance's name: checked here too, so
     * a request that skips the page's form is refused the same way. The page then loads again.
     */
    @RolesAllowed(Roles.ADMIN)
    @POST
    @Path("/decommission")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response decommission(@PathParam("id") String id, @FormParam("confirm") String confirm) {
        InstanceView instance = instance(id);
        if (confirm == null || !confirm.strip().equals(instance.name())) {
            throw ApiException.invalid("confirm", "type the instance's name exactly to decommission it");
        }
        instances.decommission(scope(), instance.id(), console.caller().actor());
        return Response.ok().header("HX-Redirect", "/console/instances/" + instance.id()).build();
    }

    private InstanceView instance(String id) {
        return instances.find(scope(), Ids.pathId(id, "Instance")).map(InstanceView::of)
                .orElseThrow(() -> ApiException.notFound("Instance"));
    }

    private List<HistoryService.Event> events(UUID id) {
        return history.events(scope(), id, new Page.PageRequest(0, TIMELINE)).items();
    }

    private List<CommandView> commands(UUID id) {
        return commands.listFor(scope(), id, new Page.PageRequest(0, COMMANDS)).items();
    }

    private Scope scope() {
        return console.caller().scope();
    }
}
