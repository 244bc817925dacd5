package io.omnii.server.console;

import io.omnii.server.common.ApiException;
import io.omnii.server.common.Roles;
import io.omnii.server.console.MatterViews.NodeDetail;
import io.omnii.server.matter.MatterInventory;
import io.omnii.server.matter.MatterPayloads.CommissioningWindowRequest;
import io.omnii.server.matter.MatterPayloads.DeviceCommandRequest;
import io.omnii.server.matter.MatterRelay;
import io.omnii.server.matter.ServesMatter;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One Matter node: its attributes by endpoint and cluster, its events, and what an operator may do with it through
 * the relay (switch it, interview, ping, remove, open a commissioning window), exactly as the API's node endpoints.
 */
@Path("/console/matter/nodes/{nodeId}")
@Produces(MediaType.TEXT_HTML)
@ServesMatter
public class MatterNodePage {

    static final int EVENTS = 50;

    /** One address of the node and whether it answered. */
    public record PingRow(String address, boolean answered) {

        public String state() {
            return answered ? "online" : "offline";
        }

        public String label() {
            return answered ? "answered" : "no answer";
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance node(Chrome chrome, NodeDetail detail, String title);

        static native TemplateInstance node$detail(Chrome chrome, NodeDetail detail, String title);

        static native TemplateInstance window(String svg, String manualCode, Instant closesAt);

        static native TemplateInstance done(String message);

        static native TemplateInstance ping(List<PingRow> addresses);
    }

    private final MatterInventory inventory;
    private final MatterRelay relay;
    private final ConsoleRequest console;
    private final Clock clock;

    MatterNodePage(MatterInventory inventory, MatterRelay relay, ConsoleRequest console, Clock clock) {
        this.clock = clock;
        this.inventory = inventory;
        this.relay = relay;
        this.console = console;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Blocking
    public TemplateInstance page(@PathParam("nodeId") String nodeId) {
        BigInteger id = MatterRelay.nodeId(nodeId);
        NodeDetail detail = detail(id);
        if (detail.node() == null) {
            throw ApiException.notFound("Matter node");
        }
        return Templates.node(console.chrome("matter"), detail, MatterFormats.title(detail.node()));
    }

    /** The live part of the page; a node that is gone says so instead of failing the page's refresh. */
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/detail")
    @Blocking
    public TemplateInstance detail(@PathParam("nodeId") String nodeId) {
        NodeDetail detail = detail(MatterRelay.nodeId(nodeId));
        return Templates.node$detail(console.chrome("matter"), detail,
                detail.node() == null ? "Node " + detail.nodeId() : MatterFormats.title(detail.node()));
    }

    /** Switches the On/Off cluster of an endpoint; the page shows the new state when the node reports it. */
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/on-off")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> onOff(@PathParam("nodeId") String nodeId, @FormParam("endpoint") String endpoint,
            @FormParam("on") String on) {
        BigInteger id = MatterRelay.nodeId(nodeId);
        int ep = Forms.whole("endpoint", endpoint, 0, 65534, -1);
        if (ep < 0) {
            throw ApiException.invalid("endpoint", "is required, 0 to 65534");
        }
        String command = switch (Forms.typed("on", on) == null ? "" : on) {
            case "true" -> "On";
            case "false" -> "Off";
            default -> throw ApiException.invalid("on", "is true or false");
        };
        return relay.deviceCommand(id, new DeviceCommandRequest(ep, MatterViews.ON_OFF, command, null, null, null),
                console.caller().actor()).map(result -> Response.noContent().build());
    }

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/interview")
    public Uni<TemplateInstance> interview(@PathParam("nodeId") String nodeId) {
        return relay.interview(MatterRelay.nodeId(nodeId), console.caller().actor())
                .map(done -> Templates.done("Interviewed: the attributes below are fresh from the device."));
    }

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/ping")
    public Uni<TemplateInstance> ping(@PathParam("nodeId") String nodeId) {
        return relay.ping(MatterRelay.nodeId(nodeId), console.caller().actor()).map(result -> {
            List<PingRow> rows = new ArrayList<>();
            result.properties().forEach(e -> rows.add(new PingRow(e.getKey(), e.getValue().asBoolean(false))));
            return Templates.ping(rows);
        });
    }

    /** Takes the node off the fabric, then sends the browser to the node list. */
    @RolesAllowed(Roles.OPERATOR)
    @DELETE
    public Uni<Response> remove(@PathParam("nodeId") String nodeId) {
        return relay.remove(MatterRelay.nodeId(nodeId), console.caller().actor())
                .map(done -> Response.noContent().header("HX-Redirect", "/console/matter").build());
    }

    /** Opens a commissioning window and shows its codes: the QR code drawn here, and the manual code. */
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/commissioning-window")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<TemplateInstance> openWindow(@PathParam("nodeId") String nodeId,
            @FormParam("timeoutSeconds") String timeoutSeconds) {
        BigInteger id = MatterRelay.nodeId(nodeId);
        int timeout = Forms.whole("timeoutSeconds", timeoutSeconds, 180,
                900, 300);
        Instant opened = clock.instant();
        return relay.openCommissioningWindow(id, new CommissioningWindowRequest(timeout, null), console.caller().actor())
                .map(codes -> Templates.window(codes.setupQrCode() == null ? null : QrSvg.of(codes.setupQrCode()),
                        grouped(codes.setupManualCode()), opened.plusSeconds(timeout)));
    }

    private NodeDetail detail(BigInteger id) {
        return MatterViews.detail(id, inventory.node(id).orElse(null),
                inventory.knows(id) ? inventory.events(id, EVENTS) : List.of());
    }

    /** 3497-011-2332, as printed on devices: 4-3-4 digits (21-digit codes get 4-3-4-5-5). */
    static String grouped(String manual) {
        if (manual == null || !manual.matches("\\d{11}|\\d{21}")) {
            return manual;
        }
        String head = manual.substring(0, 4) + "-" + manual.substring(4, 7) + "-" + manual.substring(7, 11);
        return manual.length() == 11 ? head : head + "-" + manual.substring(11, 16) + "-" + manual.substring(16);
    }
}
