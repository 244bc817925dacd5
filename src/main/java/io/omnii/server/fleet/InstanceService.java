package io.omnii.server.fleet;

import io.omnii.server.broker.BrokerAccounts;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Page;
import io.quarkus.logging.Log;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.LockModeType;
import jakarta.validation.Valid;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The instance registry: creation at enrollment, queries, renames and tags, decommissioning. */
@ApplicationScoped
public class InstanceService {

    private static final String CLIENT_ID_PREFIX = "ha-";

    private final Clock clock;
    private final BrokerAccounts accounts;
    private final InstanceCounts counts;
    private final Event<InstanceDecommissioned> decommissioned;
    private final InstanceRepository repository;

    InstanceService(Clock clock, BrokerAccounts accounts, InstanceCounts counts,
            Event<InstanceDecommissioned> decommissioned, InstanceRepository repository) {
        this.accounts = accounts;
        this.repository = repository;
        this.clock = clock;
        this.counts = counts;
        this.decommissioned = decommissioned;
    }

    /** Creates the instance inside the caller's enrollment transaction; it starts offline until it reports. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Instance create(String name, Instant now) {
        Instance instance = new Instance();
        instance.id = UUID.randomUUID();
        instance.name = name.strip();
        instance.mqttClientId = CLIENT_ID_PREFIX + instance.id;
        instance.status = InstanceStatus.OFFLINE;
        instance.statusChangedAt = now;
        instance.enrolledAt = now;
        repository.persistAndFlush(instance); // the row before its first event, as everywhere else
        InstanceEvent.record(instance.id, now, null, InstanceStatus.OFFLINE, TransitionReason.ENROLLED);
        counts.moved(null, InstanceStatus.OFFLINE);
        return instance;
    }

    /** The page by number: the database walks past every row before it (OFFSET), so deep pages cost more. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<Instance> list(InstanceQuery query, Page.PageRequest request) {
        return list(query, Optional.empty(), request.page() * request.size(), request.size(), request.page());
    }

    /** The page after the cursor's instance: a range scan of the enrollment-order index, as cheap at any depth. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<Instance> listAfter(InstanceQuery query, InstanceCursor after, int size) {
        return list(query, Optional.of(after), 0, size, null);
    }

    private Page<Instance> list(InstanceQuery query, Optional<InstanceCursor> after, int first, int size,
            Integer page) {
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        if (query.status().isPresent()) {
            where.add("status = :status");
            params.put("status", query.status().get());
        } else {
            // Decommissioned instances are history; they show only when asked for.
            where.add("status <> :decommissioned");
            params.put("decommissioned", InstanceStatus.DECOMMISSIONED);
        }
        query.nameContains().ifPresent(name -> {
            where.add("lower(name) like :name escape '\\'");
            params.put("name", "%" + escapeLike(name.toLowerCase()) + "%");
        });
        for (int i = 0; i < query.tags().size(); i++) {
            where.add("array_contains(tags, :tag" + i + ")");
            params.put("tag" + i, query.tags().get(i));
        }
        // Filtered by state alone (or not at all), the total is kept, not counted: counting reads every row.
        boolean byStateOnly = query.nameContains().isEmpty() && query.tags().isEmpty();
        long total = byStateOnly ? counts.count(query.status()) : repository.count(String.join(" and ", where), params);

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

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<Instance> find(UUID id) {
        return repository.findByIdOptional(id);
    }

    /** Answers 404 unless the instance exists (decommissioned ones included: they keep their history). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public void requireExists(UUID id) {
        if (repository.count("id", id) == 0) {
            throw ApiException.notFound("Instance");
        }
    }

    @Transactional
    public Instance update(UUID id, @Valid InstancePatch patch) {
        Instance instance = lock(id);
        if (instance.isDecommissioned()) {
            throw new ApiException(409, "instance_decommissioned", "A decommissioned instance cannot be changed");
        }
        if (patch.name() != null) {
            instance.name = patch.name().strip();
        }
        if (patch.tags() != null) {
            instance.tags = new ArrayList<>(InstanceRules.normalizeTags(patch.tags()));
        }
        return instance;
    }

    /** Decommissions the instance: it stays as history, and whatever it sends from now on is ignored. Idempotent. */
    @Transactional
    public void decommission(UUID id) {
        Instance instance = lock(id);
        if (instance.isDecommissioned()) {
            return;
        }
        Instant now = clock.instant();
        InstanceEvent.record(id, now, instance.status, InstanceStatus.DECOMMISSIONED, TransitionReason.DECOMMISSIONED);
        counts.moved(instance.status, InstanceStatus.DECOMMISSIONED);
        instance.status = InstanceStatus.DECOMMISSIONED;
        instance.statusChangedAt = now;
        instance.decommissionedAt = now;
        decommissioned.fire(new InstanceDecommissioned(id, now)); // commands cancels what was still queued
        // Inside the transaction: if the broker cannot delete the account, the instance stays as it was.
        accounts.revoke(id, instance.mqttClientId);
        Log.infof("Instance %s decommissioned", id);
    }

    /** Row lock: the telemetry writer updates the same rows, and neither may overwrite the other's changes. */
    private Instance lock(UUID id) {
        return repository.findByIdOptional(id, LockModeType.PESSIMISTIC_WRITE)
                .orElseThrow(() -> ApiException.notFound("Instance"));
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
