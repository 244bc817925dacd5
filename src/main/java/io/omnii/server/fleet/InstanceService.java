package io.omnii.server.fleet;

import io.omnii.server.audit.Actor;
import io.omnii.server.audit.AuditAction;
import io.omnii.server.audit.AuditLog;
import io.omnii.server.audit.Outcome;
import io.omnii.server.audit.Target;
import io.omnii.server.auth.Scope;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Page;
import io.quarkus.logging.Log;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.LockModeType;
import jakarta.validation.Valid;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The instance registry: creation at enrollment, queries, renames and tags, decommissioning. Its writes go through
 * {@link InstanceWriter}. Whatever a caller asks for is limited to its {@link Scope}: an instance out of scope is
 * treated exactly like one that does not exist (404, left out of listings). Work without a caller passes
 * {@link Scope#ALL}.
 */
@ApplicationScoped
public class InstanceService {

    private final Clock clock;
    private final InstanceCounts counts;
    private final InstanceWriter writer;
    private final Event<InstanceDecommissioned> decommissioned;
    private final InstanceRepository repository;
    private final AuditLog audit;

    InstanceService(Clock clock, InstanceCounts counts, InstanceWriter writer,
            Event<InstanceDecommissioned> decommissioned, InstanceRepository repository, AuditLog audit) {
        this.audit = audit;
        this.repository = repository;
        this.clock = clock;
        this.counts = counts;
        this.writer = writer;
        this.decommissioned = decommissioned;
    }

    /**
     * Creates the instance inside the caller's enrollment transaction; it starts offline until it reports, with the
     * given tags (those of a scoped caller's enrollment code).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Instance create(String name, List<String> tags, Instant now) {
        return writer.enroll(name.strip(), tags, now);
    }

    /** The page by number: the database walks past every row before it (OFFSET), so deep pages cost more. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<Instance> list(Scope scope, InstanceQuery query, Page.PageRequest request) {
        return list(scope, query, Optional.empty(), request.page() * request.size(), request.size(), request.page(),
                Long.MAX_VALUE);
    }

    /** The page after the cursor's instance: a range scan of the enrollment-order index, as cheap at any depth. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<Instance> listAfter(Scope scope, InstanceQuery query, InstanceCursor after, int size) {
        return list(scope, query, Optional.of(after), 0, size, null, Long.MAX_VALUE);
    }

    /**
     * The first page, or the one after the cursor, for a person's screen: a total that has to be counted stops at
     * {@code countCap + 1} ("more than countCap"), so a filter matching most of a large fleet does not read all of it.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<Instance> browse(Scope scope, InstanceQuery query, Optional<InstanceCursor> after, int size,
            long countCap) {
        return list(scope, query, after, 0, size, after.isPresent() ? null : 0, countCap);
    }

    private Page<Instance> list(Scope scope, InstanceQuery query, Optional<InstanceCursor> after, int first, int size,
            Integer page, long countCap) {
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        InstanceRepository.restrict(scope, where, params);
        if (query.status().isPresent()) {
            where.add("status = :status");
            params.put("status", query.status().get());
        } else {
            // Decommissioned instances are history; they show only when asked for.
            where.add("status <> :decommissioned");
            params.put("decommissioned", InstanceStatus.DECOMMISSIONED);
        }
        query.everSeen().ifPresent(seen -> where.add(seen ? "lastSeenAt is not null" : "lastSeenAt is null"));
        query.nameContains().ifPresent(name -> {
            where.add("lower(name) like :name escape '\\'");
            params.put("name", "%" + escapeLike(name.toLowerCase()) + "%");
        });
        for (int i = 0; i < query.tags().size(); i++) {
            where.add("array_contains(tags, :tag" + i + ")");
            params.put("tag" + i, query.tags().get(i));
        }
        // Filtered by state alone (or not at all), the total is kept, not counted: counting reads every row. The kept
        // counts are the whole fleet's, so a scoped caller's total is counted (through the tags' index).
        boolean byStateOnly = scope.unrestricted() && query.nameContains().isEmpty() && query.tags().isEmpty();
        Optional<Long> kept = byStateOnly ? kept(query) : Optional.empty();
        long total = kept.isPresent() ? kept.get() : count(String.join(" and ", where), params, countCap);

        Map<String, Object> pageParams = new HashMap<>(params);
        after.ifPresent(cursor -> {
            // A row comparison, in the index's own order: PostgreSQL starts its scan right there.
            where.add("(enrolledAt, id) > (:afterAt, :afterId)");
            pageParams.put("afterAt", cursor.enrolledAt());
            pageParams.put("afterId", cursor.id());
        });
        // One row more than the page tells whether another follows.
        List<Instance> rows = repository.find(String.join(" and ", where), Sort.by("enrolledAt").and("id"),
                pageParams).range(first, first + size).list();
        if (rows.size() <= size) {
            return new Page<>(rows, page, size, total, null);
        }
        List<Instance> items = rows.subList(0, size);
        return new Page<>(items, page, size, total, InstanceCursor.after(items.get(size - 1)).encode());
    }

    /** The total kept for a filter by state (and by ever seen, for the offline), if one is. */
    private Optional<Long> kept(InstanceQuery query) {
        if (query.everSeen().isEmpty()) {
            return Optional.of(counts.count(query.status()));
        }
        if (query.status().equals(Optional.of(InstanceStatus.OFFLINE))) {
            long never = counts.neverSeen();
            return Optional.of(query.everSeen().get() ? counts.count(query.status()) - never : never);
        }
        return Optional.empty();
    }

    /** How many rows match, counting no further than {@code cap + 1}. */
    private long count(String where, Map<String, Object> params, long cap) {
        if (cap == Long.MAX_VALUE) {
            return repository.count(where, params);
        }
        var rows = repository.getEntityManager().createQuery("SELECT 1 FROM Instance WHERE " + where, Integer.class)
                .setMaxResults((int) Math.min(cap + 1, Integer.MAX_VALUE));
        params.forEach(rows::setParameter);
        return rows.getResultList().size();
    }

    /**
     * How many instances the scope admits are in each state. The whole fleet's are kept (instance_count); a scope's
     * are counted through the tags' index.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public FleetCounts counts(Scope scope) {
        if (scope.unrestricted()) {
            return new FleetCounts(counts.byState(), counts.neverSeen());
        }
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        InstanceRepository.restrict(scope, where, params);
        String never = "case when lastSeenAt is null then 1 else 0 end";
        var query = repository.getEntityManager().createQuery("SELECT status, " + never + ", count(*) FROM Instance"
                + " WHERE " + String.join(" and ", where) + " GROUP BY status, " + never, Object[].class);
        params.forEach(query::setParameter);
        Map<InstanceStatus, Long> byState = new EnumMap<>(InstanceStatus.class);
        long neverSeen = 0;
        for (Object[] row : query.getResultList()) {
            long n = ((Number) row[2]).longValue();
            byState.merge((InstanceStatus) row[0], n, Long::sum);
            if (((Number) row[1]).intValue() == 1 && row[0] == InstanceStatus.OFFLINE) {
                neverSeen += n;
            }
        }
        return new FleetCounts(byState, neverSeen);
    }

    /** The instance, if it exists within the scope. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<Instance> find(Scope scope, UUID id) {
        return repository.findInScope(id, scope, LockModeType.NONE);
    }

    /**
     * Answers 404 unless the instance exists within the scope (decommissioned ones included: they keep their
     * history).
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public void requireExists(Scope scope, UUID id) {
        List<String> where = new ArrayList<>(List.of("id = :id"));
        Map<String, Object> params = new HashMap<>(Map.of("id", id));
        InstanceRepository.restrict(scope, where, params);
        if (repository.count(String.join(" and ", where), params) == 0) {
            throw ApiException.notFound("Instance");
        }
    }

    @Transactional
    public Instance update(Scope scope, UUID id, @Valid InstancePatch patch, Actor actor) {
        // The tags before and after: a reader of either scope sees that the instance entered or left it.
        TreeSet<String> tags = new TreeSet<>(writer.lock(id, scope).tags);
        Instance changed = writer.change(id, scope, Optional.ofNullable(patch.name()).map(String::strip),
                Optional.ofNullable(patch.tags()).map(InstanceRules::normalizeTags));
        tags.addAll(changed.tags);
        Map<String, Object> detail = new LinkedHashMap<>();
        if (patch.name() != null) {
            detail.put("name", changed.name);
        }
        if (patch.tags() != null) {
            detail.put("tags", List.copyOf(changed.tags));
        }
        audit.record(actor, AuditAction.INSTANCE_UPDATE, Target.instance(id, tags), Outcome.SUCCESS, detail);
        return changed;
    }

    /**
     * Decommissions the instance: it stays as history, and whatever it sends from now on is ignored. Idempotent.
     * Its observers run inside the transaction: commands cancels what was still queued, the broker deletes the
     * account, and if the broker cannot, the instance stays as it was.
     */
    @Transactional
    public void decommission(Scope scope, UUID id, Actor actor) {
        Optional<InstanceDecommissioned> gone = writer.decommission(id, scope, clock.instant());
        gone.ifPresent(event -> {
            decommissioned.fire(event);
            Log.infof("Instance %s decommissioned", id);
        });
        // After the observers: an entry only for a decommissioning the broker let through.
        audit.record(actor, AuditAction.INSTANCE_DECOMMISSION, Target.instance(id, writer.lock(id, scope).tags),
                Outcome.SUCCESS, Map.of("alreadyDecommissioned", gone.isEmpty()));
    }

    /**
     * The instance, locked for the caller's transaction (404 if none) the way decommissioning locks it: for a change
     * another feature makes for it, which must not race its decommissioning.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Instance lock(Scope scope, UUID id) {
        return writer.lock(id, scope);
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
