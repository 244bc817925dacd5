package io.omnii.server.matter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Times;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/** What the server knows of the Matter Server and its nodes (docs/matter.md). */
@Path("/matter")
@Produces(MediaType.APPLICATION_JSON)
public class MatterResource {

    private static final String NODE_COLUMNS = """
            SELECT node_id, available, is_bridge, vendor_id, vendor_name, product_name, node_label, software_version,
                   serial_number, CAST(date_commissioned AS text), CAST(last_interview AS text), CAST(attributes AS text)
              FROM matter_node""";

    private final MatterClient client;
    private final EntityManager em;
    private final ObjectMapper mapper;

    MatterResource(MatterClient client, EntityManager em, ObjectMapper mapper) {
        this.client = client;
        this.em = em;
        this.mapper = mapper;
    }

    /** The connection and the server's latest info. */
    public record ServerView(boolean enabled, boolean connected, Long since, String lastError, JsonNode info) {
    }

    /** A node; attributes ("endpoint/cluster/attribute" to value) only when one node is asked for. */
    public record NodeView(BigInteger nodeId, boolean available, boolean isBridge, Integer vendorId, String vendorName,
            String productName, String nodeLabel, String softwareVersion, String serialNumber, String dateCommissioned,
            String lastInterview, JsonNode attributes) {
    }

    @GET
    @Path("/server")
    public ServerView server() {
        MatterClient.State state = client.state();
        return new ServerView(client.enabled(), state.connected(), Times.millis(state.since()),
                state.lastError().orElse(null), state.serverInfo());
    }

    @GET
    @Path("/nodes")
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<NodeView> nodes() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(NODE_COLUMNS + " ORDER BY node_id").getResultList();
        return rows.stream().map(r -> view(r, false)).toList();
    }

    @GET
    @Path("/nodes/{nodeId}")
    @Transactional(Transactional.TxType.SUPPORTS)
    public NodeView node(@PathParam("nodeId") String nodeId) {
        BigInteger id;
        try {
            id = new BigInteger(nodeId);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("Matter node");
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(NODE_COLUMNS + " WHERE node_id = :id")
                .setParameter("id", new BigDecimal(id)).getResultList();
        return rows.stream().findFirst().map(r -> view(r, true)).orElseThrow(() -> ApiException.notFound("Matter node"));
    }

    private NodeView view(Object[] r, boolean withAttributes) {
        JsonNode attributes = null;
        if (withAttributes) {
            try {
                attributes = mapper.readTree((String) r[11]);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return new NodeView(((BigDecimal) r[0]).toBigIntegerExact(), (Boolean) r[1], (Boolean) r[2],
                r[3] == null ? null : ((Number) r[3]).intValue(), (String) r[4], (String) r[5], (String) r[6],
                (String) r[7], (String) r[8], (String) r[9], (String) r[10], attributes);
    }
}
