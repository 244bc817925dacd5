package io.omnii.server.matter;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnii.server.audit.AuditCaller;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Roles;
import io.omnii.server.common.WholeNumber;
import io.omnii.server.matter.MatterPayloads.CommissioningWindowRequest;
import io.omnii.server.matter.MatterPayloads.DeviceCommandRequest;
import io.omnii.server.matter.MatterPayloads.DeviceCommandResult;
import io.omnii.server.matter.MatterPayloads.IpAddresses;
import io.omnii.server.matter.MatterPayloads.NodeEventView;
import io.omnii.server.matter.MatterPayloads.NodeView;
import io.omnii.server.matter.MatterPayloads.PairingCodes;
import io.omnii.server.matter.MatterPayloads.WriteAttributeRequest;
import io.omnii.server.matter.MatterPayloads.WriteResult;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.math.BigInteger;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Matter nodes: what the inventory knows (from PostgreSQL, also while the Matter Server is away) and operations
 * relayed to the Matter Server (docs/matter.md says what each one sends).
 */
@Path("/matter/nodes")
@Produces(MediaType.APPLICATION_JSON)
public class MatterNodeResource {

    private final MatterInventory inventory;
    private final MatterRelay relay;
    private final AuditCaller caller;

    MatterNodeResource(MatterInventory inventory, MatterRelay relay, AuditCaller caller) {
        this.caller = caller;
        this.inventory = inventory;
        this.relay = relay;
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Blocking
    public List<NodeView> nodes() {
        return inventory.nodes();
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{nodeId}")
    @Blocking
    public NodeView node(@PathParam("nodeId") String nodeId) {
        return inventory.node(MatterRelay.nodeId(nodeId)).orElseThrow(() -> ApiException.notFound("Matter node"));
    }

    /** The node's latest events (node_event), newest first. */
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{nodeId}/events")
    @Blocking
    public List<NodeEventView> events(@PathParam("nodeId") String nodeId,
            @QueryParam("limit") @WholeNumber(min = 1, max = 1000) String limit) {
        int n = (int) WholeNumber.Validator.parse(limit, 100);
        BigInteger id = MatterRelay.nodeId(nodeId);
        if (!inventory.knows(id)) {
            throw ApiException.notFound("Matter node");
        }
        return inventory.events(id, n);
    }

    @RolesAllowed(Roles.OPERATOR)
    @DELETE
    @Path("/{nodeId}")
    @Extension(name = MatterApiDocumentFilter.RELAYED, value = "true")
    public Uni<Void> remove(@PathParam("nodeId") String nodeId) {
        return relay.remove(MatterRelay.nodeId(nodeId), caller.actor());
    }

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/{nodeId}/interview")
    @APIResponse(responseCode = "204", description = "Interviewed")
    @Extension(name = MatterApiDocumentFilter.RELAYED, value = "true")
    public Uni<Void> interview(@PathParam("nodeId") String nodeId) {
        return relay.interview(MatterRelay.nodeId(nodeId), caller.actor());
    }

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/{nodeId}/ping")
    @Extension(name = MatterApiDocumentFilter.RELAYED, value = "true")
    public Uni<JsonNode> ping(@PathParam("nodeId") String nodeId) {
        return relay.ping(MatterRelay.nodeId(nodeId), caller.actor());
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{nodeId}/ip-addresses")
    @Extension(name = MatterApiDocumentFilter.RELAYED, value = "true")
    public Uni<IpAddresses> ipAddresses(@PathParam("nodeId") String nodeId,
            @QueryParam("preferCache") boolean preferCache, @QueryParam("scoped") boolean scoped) {
        return relay.ipAddresses(MatterRelay.nodeId(nodeId), preferCache, scoped);
    }

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/{nodeId}/commissioning-window")
    @Consumes(MediaType.APPLICATION_JSON)
    @Extension(name = MatterApiDocumentFilter.RELAYED, value = "true")
    public Uni<PairingCodes> openCommissioningWindow(@PathParam("nodeId") String nodeId,
            CommissioningWindowRequest request) {
        return relay.openCommissioningWindow(MatterRelay.nodeId(nodeId), request, caller.actor());
    }

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/{nodeId}/commands")
    @Consumes(MediaType.APPLICATION_JSON)
    @Extension(name = MatterApiDocumentFilter.RELAYED, value = "true")
    public Uni<DeviceCommandResult> command(@PathParam("nodeId") String nodeId, DeviceCommandRequest request) {
        return relay.deviceCommand(MatterRelay.nodeId(nodeId), request, caller.actor());
    }

    /** Reads from the device: ?path=1/6/0&path=0/40/* */
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{nodeId}/attributes")
    @Extension(name = MatterApiDocumentFilter.RELAYED, value = "true")
    public Uni<JsonNode> read(@PathParam("nodeId") String nodeId, @QueryParam("path") List<String> paths) {
        return relay.readAttributes(MatterRelay.nodeId(nodeId), paths);
    }

    @RolesAllowed(Roles.OPERATOR)
    @PUT
    @Path("/{nodeId}/attributes/{endpoint}/{cluster}/{attribute}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Extension(name = MatterApiDocumentFilter.RELAYED, value = "true")
    public Uni<List<WriteResult>> write(@PathParam("nodeId") String nodeId, @PathParam("endpoint") String endpoint,
            @PathParam("cluster") String cluster, @PathParam("attribute") String attribute,
            WriteAttributeRequest request) {
        return relay.writeAttribute(MatterRelay.nodeId(nodeId), endpoint + "/" + cluster + "/" + attribute, request,
                caller.actor());
    }
}
