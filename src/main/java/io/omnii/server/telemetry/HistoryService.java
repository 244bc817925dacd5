package io.omnii.server.telemetry;

import io.omnii.server.auth.Scope;
import io.omnii.server.common.Times;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.common.Page;
import io.omnii.server.fleet.InstanceEventRepository;
import io.omnii.server.fleet.InstanceService;
import io.omnii.server.fleet.InstanceStatus;
import io.omnii.server.fleet.TransitionReason;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Reads an instance's metrics history and its status transitions, for callers whose scope admits it. */
@ApplicationScoped
public class HistoryService {

    private static final String SAMPLES = """
            SELECT reported_at, received_at, uptime_seconds, version, stability_score, core_version, supervisor_version,
                   os_version, total_devices, total_entities, pending_updates, CAST(metadata AS text) AS metadata
              FROM metrics_sample WHERE instance_id = :id AND reported_at >= :from AND reported_at < :to
             ORDER BY reported_at LIMIT :limit OFFSET :offset""";
    private static final String COUNT = """
            SELECT count(*) FROM metrics_sample WHERE instance_id = :id AND reported_at >= :from AND reported_at < :to""";

    /**
     * Every numeric series of the samples, averaged per bucket: the top-level numbers and each numeric metadata key
     * (but those already columns). A metadata key longer than {@link #MAX_KEY} is left out.
     */
    private static final String SERIES = """
            SELECT date_bin(make_interval(secs => :step), s.reported_at, :from) AS bucket, v.key, avg(v.value) AS value
              FROM metrics_sample s
             CROSS JOIN LATERAL (
                   VALUES ('uptimeSeconds', CAST(s.uptime_seconds AS numeric)),
                          ('stabilityScore', CAST(s.stability_score AS numeric)),
                          ('totalDevices', CAST(s.total_devices AS numeric)),
                          ('totalEntities', CAST(s.total_entities AS numeric)),
                          ('pendingUpdates', CAST(s.pending_updates AS numeric))
                   UNION ALL
                   SELECT m.key, CAST(m.value #>> '{}' AS numeric)
                     FROM jsonb_each(CASE WHEN jsonb_typeof(s.metadata) = 'object' THEN s.metadata ELSE '{}' END) m
                    WHERE jsonb_typeof(m.value) = 'number' AND length(m.key) <= :maxKey
                      AND m.key NOT IN ('uptimeSeconds', 'stabilityScore', 'totalDevices', 'totalEntities',
                                        'pendingUpdates')) AS v(key, value)
             WHERE s.instance_id = :id AND s.reported_at >= :from AND s.reported_at < :to AND v.value IS NOT NULL
             GROUP BY 1, 2 ORDER BY 1""";
    /** The fixed series, in the order charts show them; numeric metadata keys follow in name order. */
    private static final List<String> FIXED_SERIES = List.of("uptimeSeconds", "stabilityScore", "totalDevices",
            "totalEntities", "pendingUpdates");
    static final int MAX_KEY = 64;
    /** Series beyond this many (an add-on sending hundreds of numeric keys) are not charted. */
    public static final int MAX_SERIES = 16;

    private final EntityManager em;
    private final ObjectMapper mapper;
    private final InstanceService instances;
    private final InstanceEventRepository events;

    HistoryService(EntityManager em, ObjectMapper mapper, InstanceService instances, InstanceEventRepository events) {
        this.em = em;
        this.events = events;
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

    /**
     * Numeric series over a time range, averaged per bucket and aligned on the buckets' starts.
     *
     * @param times bucket starts in epoch milliseconds, oldest first
     * @param series each series' name and its value per bucket (null where it had none)
     */
    public record Series(List<Long> times, Map<String, List<Double>> series) {
    }

    /** {@code from} is null for the first event (enrolled). */
    public record Event(long at, @Schema(nullable = true) InstanceStatus from, InstanceStatus to,
            TransitionReason reason) {
    }

    /** Samples with the instance's timestamp in [from, to), oldest first. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<Sample> metrics(Scope scope, UUID instanceId, Instant from, Instant to, Page.PageRequest request) {
        instances.requireExists(scope, instanceId);
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery(SAMPLES, Tuple.class)
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

    /** Every numeric series of the samples in [from, to), averaged over buckets of {@code step}. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Series series(Scope scope, UUID instanceId, Instant from, Instant to, Duration step) {
        instances.requireExists(scope, instanceId);
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery(SERIES, Tuple.class)
                .setParameter("id", instanceId)
                .setParameter("from", Times.utc(from))
                .setParameter("to", Times.utc(to))
                .setParameter("step", (double) step.toSeconds())
                .setParameter("maxKey", MAX_KEY)
                .getResultList();
        TreeSet<Long> times = new TreeSet<>();
        Map<String, Map<Long, Double>> byKey = new HashMap<>();
        for (Tuple r : rows) {
            long at = Times.instant(r.get("bucket")).toEpochMilli();
            double value = r.get("value", Number.class).doubleValue();
            times.add(at);
            byKey.computeIfAbsent(r.get("key", String.class), k -> new HashMap<>())
                    .put(at, Double.isFinite(value) ? value : null);
        }
        List<String> names = new ArrayList<>(FIXED_SERIES.stream().filter(byKey::containsKey).toList());
        byKey.keySet().stream().filter(k -> !FIXED_SERIES.contains(k)).sorted().forEach(names::add);
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String name : names.subList(0, Math.min(names.size(), MAX_SERIES))) {
            Map<Long, Double> values = byKey.get(name);
            series.put(name, times.stream().map(values::get).toList());
        }
        return new Series(List.copyOf(times), series);
    }

    /** Status transitions, newest first. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<Event> events(Scope scope, UUID instanceId, Page.PageRequest request) {
        instances.requireExists(scope, instanceId);
        var query = events.find("instanceId", Sort.descending("at").and("id", Sort.Direction.Descending),
                instanceId);
        List<Event> items = query.page(io.quarkus.panache.common.Page.of(request.page(), request.size())).list()
                .stream().map(e -> new Event(e.at.toEpochMilli(), e.fromStatus, e.toStatus, e.reason)).toList();
        return new Page<>(items, request.page(), request.size(), query.count());
    }

    @SuppressWarnings("unchecked")
    private Sample sample(Tuple r) {
        Map<String, Object> metadata = null;
        String stored = r.get("metadata", String.class);
        if (stored != null) {
            try {
                metadata = mapper.readValue(stored, Map.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        Number uptime = r.get("uptime_seconds", Number.class);
        Number stability = r.get("stability_score", Number.class);
        return new Sample(Times.instant(r.get("reported_at")).toEpochMilli(),
                Times.instant(r.get("received_at")).toEpochMilli(), uptime == null ? null : uptime.longValue(),
                r.get("version", String.class), stability == null ? null : stability.doubleValue(),
                r.get("core_version", String.class), r.get("supervisor_version", String.class),
                r.get("os_version", String.class), integer(r, "total_devices"), integer(r, "total_entities"),
                integer(r, "pending_updates"), metadata);
    }

    private static Integer integer(Tuple r, String column) {
        Number n = r.get(column, Number.class);
        return n == null ? null : n.intValue();
    }

}
