package io.omnii.server.telemetry;

import io.omnii.server.common.Times;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.common.Page;
import io.omnii.server.fleet.InstanceEvent;
import io.omnii.server.fleet.InstanceService;
import io.omnii.server.fleet.InstanceStatus;
import io.omnii.server.fleet.TransitionReason;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Reads an instance's metrics history and its status transitions. */
@ApplicationScoped
public class HistoryService {

    private static final String SAMPLES = """
            SELECT reported_at, received_at, uptime_seconds, version, stability_score, core_version, supervisor_version,
                   os_version, total_devices, total_entities, pending_updates, CAST(metadata AS text)
              FROM metrics_sample WHERE instance_id = :id AND reported_at >= :from AND reported_at < :to
             ORDER BY reported_at LIMIT :limit OFFSET :offset""";
    private static final String COUNT = """
            SELECT count(*) FROM metrics_sample WHERE instance_id = :id AND reported_at >= :from AND reported_at < :to""";

    private final EntityManager em;
    private final ObjectMapper mapper;
    private final InstanceService instances;

    HistoryService(EntityManager em, ObjectMapper mapper, InstanceService instances) {
        this.em = em;
        this.mapper = mapper;
        this.instances = instances;
    }

    /** One metrics message as kept in history; times in epoch milliseconds. */
    public record Sample(long timestamp, long receivedAt, @Schema(nullable = true) Long uptimeSeconds,
            @Schema(nullable = true) String version, @Schema(nullable = true) Double stabilityScore,
            @Schema(nullable = true) String coreVersion, @Schema(nullable = true) String supervisorVersion,
            @Schema(nullable = true) String osVersion, @Schema(nullable = true) Integer totalDevices,
            @Schema(nullable = true) Integer totalEntities, @Schema(nullable = true) Integer pendingUpdates,
            @Schema(nullable = true) Map<String, Object> metadata) {
    }

    /** {@code from} is null for the first event (enrolled). */
    public record Event(long at, @Schema(nullable = true) InstanceStatus from, InstanceStatus to,
            TransitionReason reason) {
    }

    /** Samples with the instance's timestamp in [from, to), oldest first. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<Sample> metrics(UUID instanceId, Instant from, Instant to, Page.PageRequest request) {
        instances.requireExists(instanceId);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(SAMPLES)
                .setParameter("id", instanceId)
                .setParameter("from", Times.utc(from))
                .setParameter("to", Times.utc(to))
                .setParameter("limit", request.size())
                .setParameter("offset", (long) request.page() * request.size())
                .getResultList();
        long total = ((Number) em.createNativeQuery(COUNT).setParameter("id", instanceId)
                .setParameter("from", Times.utc(from)).setParameter("to", Times.utc(to)).getSingleResult()).longValue();
        return new Page<>(rows.stream().map(this::sample).toList(), request.page(), request.size(), total);
    }

    /** Status transitions, newest first. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<Event> events(UUID instanceId, Page.PageRequest request) {
        instances.requireExists(instanceId);
        var query = InstanceEvent.<InstanceEvent>find("instanceId", Sort.descending("at").and("id", Sort.Direction.Descending),
                instanceId);
        List<Event> items = query.page(io.quarkus.panache.common.Page.of(request.page(), request.size())).list()
                .stream().map(e -> new Event(e.at.toEpochMilli(), e.fromStatus, e.toStatus, e.reason)).toList();
        return new Page<>(items, request.page(), request.size(), query.count());
    }

    @SuppressWarnings("unchecked")
    private Sample sample(Object[] r) {
        Map<String, Object> metadata = null;
        if (r[11] != null) {
            try {
                metadata = mapper.readValue((String) r[11], Map.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return new Sample(Times.instant(r[0]).toEpochMilli(), Times.instant(r[1]).toEpochMilli(), r[2] == null ? null : ((Number) r[2]).longValue(), (String) r[3],
                r[4] == null ? null : ((Number) r[4]).doubleValue(), (String) r[5], (String) r[6], (String) r[7],
                integer(r[8]), integer(r[9]), integer(r[10]), metadata);
    }

    private static Integer integer(Object o) {
        return o == null ? null : ((Number) o).intValue();
    }

}
