package io.omnii.server.fleet;

import io.omnii.server.broker.BrokerAccounts;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Page;
import io.omnii.server.common.Validation;
import io.quarkus.logging.Log;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The instance registry: creation at enrollment, queries, renames and tags, decommissioning. */
@ApplicationScoped
public class InstanceService {

    private static final String CLIENT_ID_PREFIX = "ha-";

    private final Clock clock;
    private final BrokerAccounts accounts;
    private final InstanceCounts counts;

    InstanceService(Clock clock, BrokerAccounts accounts, InstanceCounts counts) {
        this.accounts = accounts;
        this.clock = clock;
        this.counts = counts;
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
        instance.persistAndFlush(); // before its first event, which refers to it
        InstanceEvent.record(instance.id, now, null, InstanceStatus.OFFLINE, TransitionReason.ENROLLED);
        counts.moved(null, InstanceStatus.OFFLINE);
        return instance;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<Instance> list(InstanceQuery query, Page.PageRequest request) {
        List<String> where = new ArrayList<>();
        Parameters params = new Parameters();
        if (query.status().isPresent()) {
            where.add("status = :status");
            params.and("status", query.status().get());
        } else {
            // Decommissioned instances are history; they show only when asked for.
            where.add("status <> :decommissioned");
            params.and("decommissioned", InstanceStatus.DECOMMISSIONED);
        }
        query.nameContains().ifPresent(name -> {
            where.add("lower(name) like :name escape '\\'");
            params.and("name", "%" + escapeLike(name.toLowerCase()) + "%");
        });
        for (int i = 0; i < query.tags().size(); i++) {
            where.add("array_contains(tags, :tag" + i + ")");
            params.and("tag" + i, query.tags().get(i));
        }
        var found = Instance.<Instance>find(String.join(" and ", where), Sort.by("enrolledAt").and("id"), params);
        List<Instance> items = found.page(io.quarkus.panache.common.Page.of(request.page(), request.size())).list();
        // Filtered by state alone (or not at all), the total is kept, not counted: counting reads every row.
        boolean byStateOnly = query.nameContains().isEmpty() && query.tags().isEmpty();
        return new Page<>(items, request.page(), request.size(),
                byStateOnly ? counts.count(query.status()) : found.count());
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<Instance> find(UUID id) {
        return Instance.findByIdOptional(id);
    }

    /** Answers 404 unless the instance exists (decommissioned ones included: they keep their history). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public void requireExists(UUID id) {
        if (Instance.count("id", id) == 0) {
            throw ApiException.notFound("Instance");
        }
    }

    @Transactional
    public Instance update(UUID id, InstancePatch patch) {
        Validation v = new Validation();
        if (patch.name() != null) {
            InstanceRules.checkName(v, "name", patch.name());
        }
        if (patch.tags() != null) {
            InstanceRules.checkTags(v, "tags", patch.tags());
        }
        v.throwIfInvalid();

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
        // Inside the transaction: if the broker cannot delete the account, the instance stays as it was.
        accounts.revoke(id, instance.mqttClientId);
        Log.infof("Instance %s decommissioned", id);
    }

    /** Row lock: the telemetry writer updates the same rows, and neither may overwrite the other's changes. */
    private static Instance lock(UUID id) {
        return Instance.<Instance>findByIdOptional(id, LockModeType.PESSIMISTIC_WRITE)
                .orElseThrow(() -> ApiException.notFound("Instance"));
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
