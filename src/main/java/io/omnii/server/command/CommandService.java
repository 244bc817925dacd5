package io.omnii.server.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.audit.Actor;
import io.omnii.server.audit.AuditAction;
import io.omnii.server.audit.AuditLog;
import io.omnii.server.audit.Outcome;
import io.omnii.server.auth.Scope;
import io.omnii.server.command.CommandPayloads.BatchView;
import io.omnii.server.command.CommandPayloads.BulkCommandRequest;
import io.omnii.server.command.CommandPayloads.CommandRequest;
import io.omnii.server.command.CommandPayloads.CommandView;
import io.omnii.server.command.CommandPayloads.Target;
import io.omnii.server.common.AnyTag;
import io.omnii.server.common.ApiError;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Times;
import io.omnii.server.fleet.Instance;
import io.omnii.server.fleet.InstanceDecommissioned;
import io.omnii.server.fleet.InstanceRepository;
import io.omnii.server.fleet.InstanceService;
import io.omnii.server.fleet.InstanceStatus;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Creates, fans out and reads back commands; the dispatcher sends them. Each caller reaches only the instances of its
 * {@link Scope}: a command (or batch) of an instance out of scope is as missing, and a bulk command targets the
 * selection within the scope, never beyond.
 */
@ApplicationScoped
public class CommandService {

    private final Clock clock;
    private final CommandConfig config;
    private final Event<CommandsQueued> queued;
    private final ObjectMapper mapper;
    private final InstanceService instances;
    private final EntityManager em;
    private final CommandMetrics metrics;
    private final TransactionSynchronizationRegistry transactions;
    private final CommandRepository commands;
    private final CommandBatchRepository batches;
    private final InstanceRepository instanceRows;
    private final AuditLog audit;
    private final CommandChanges changes;

    CommandService(Clock clock, CommandConfig config, Event<CommandsQueued> queued, ObjectMapper mapper,
            InstanceService instances, EntityManager em, CommandMetrics metrics,
            TransactionSynchronizationRegistry transactions, CommandRepository commands,
            CommandBatchRepository batches, InstanceRepository instanceRows, AuditLog audit, CommandChanges changes) {
        this.audit = audit;
        this.changes = changes;
        this.clock = clock;
        this.config = config;
        this.queued = queued;
        this.commands = commands;
        this.batches = batches;
        this.instanceRows = instanceRows;
        this.mapper = mapper;
        this.instances = instances;
        this.em = em;
        this.metrics = metrics;
        this.transactions = transactions;
    }

    private record Checked(CommandName name, Map<String, Object> payload, Duration ttl) {
    }

    /** Queues one command for one instance and has it sent as soon as the instance is online. */
    @Transactional
    public CommandView send(Scope scope, UUID instanceId,
            @Valid @NotNull(message = "is required") CommandRequest body, Actor actor) {
        Checked checked = checked(body);
        Instance instance = instances.find(scope, instanceId).orElseThrow(() -> ApiException.notFound("Instance"));
        if (instance.isDecommissioned()) {
            throw new ApiException(409, "instance_decommissioned", "A decommissioned instance takes no commands");
        }
        Command command = queue(instanceId, null, checked, clock.instant());
        queued.fire(new CommandsQueued(List.of(instanceId)));
        changes.announce(new CommandChanges.Moved(command.id, null, instance.tags));
        audit.record(actor, AuditAction.COMMAND_SEND, io.omnii.server.audit.Target.command(command.id, instance.tags),
                Outcome.SUCCESS, Map.of("command", command.command.wire(), "instanceId", instanceId.toString()));
        return CommandView.of(command);
    }

    /** Queues one command per targeted instance, tied together by a batch. */
    @Transactional
    public BatchView sendToMany(Scope scope, @Valid @NotNull(message = "is required") BulkCommandRequest body,
            Actor actor) {
        Checked checked = checked(body);
        Target target = body.target();

        List<Instance> instances = resolve(scope, target);
        Instant now = clock.instant();
        CommandBatch batch = new CommandBatch();
        batch.id = UUID.randomUUID();
        batch.command = checked.name();
        batch.target = mapper.convertValue(target, Map.class);
        batch.createdAt = now;
        batch.total = instances.size();
        batches.persist(batch);
        changes.announce(instances.stream()
                .map(i -> new CommandChanges.Moved(queue(i.id, batch.id, checked, now).id, batch.id, i.tags)).toList());
        queued.fire(new CommandsQueued(null));
        // One entry for the request, with the tags of every instance it reached.
        Set<String> tags = new TreeSet<>();
        instances.forEach(i -> tags.addAll(i.tags));
        audit.record(actor, AuditAction.COMMAND_BULK_SEND, io.omnii.server.audit.Target.commandBatch(batch.id, tags),
                Outcome.SUCCESS, Map.of("command", batch.command.wire(), "targets", batch.total));
        return new BatchView(batch.id, batch.command, now.toEpochMilli(), batch.total,
                Map.of(CommandState.QUEUED.wire(), (long) batch.total));
    }

    /**
     * Cancels the commands a decommissioned instance still had queued, in the decommissioning transaction: they could
     * never be sent, and would otherwise count as queued in their batch until their time to live ran out. One UPDATE,
     * so a command the dispatcher claimed meanwhile (no longer queued) is left to finish as sent.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    void cancelQueued(@Observes InstanceDecommissioned event) {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("UPDATE command c SET state = 'cancelled', updated_at = :now"
                + " FROM instance i WHERE i.id = c.instance_id AND c.instance_id = :id AND c.state = 'queued'"
                + " RETURNING c.id, c.batch_id, c.command, i.tags", Tuple.class)
                .setParameter("now", Times.utc(event.at()))
                .setParameter("id", event.instanceId())
                .getResultList();
        changes.announce(rows.stream().map(CommandChanges.Moved::of).toList());
        List<String> cancelled = rows.stream().map(r -> r.get("command", String.class)).toList();
        if (!cancelled.isEmpty()) {
            // Counted once committed: the broker may still refuse the decommissioning and roll it all back.
            transactions.registerInterposedSynchronization(afterCommit(() -> cancelled.forEach(name ->
                    metrics.finished(CommandName.fromWire(name).orElseThrow(), CommandState.CANCELLED, 1))));
        }
    }

    private static Synchronization afterCommit(Runnable action) {
        return new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    action.run();
                }
            }
        };
    }

    /** The command, if its instance is within the scope. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<CommandView> find(Scope scope, UUID id) {
        return commands.findByIdOptional(id)
                .filter(c -> scope.unrestricted() || instances.find(scope, c.instanceId).isPresent())
                .map(CommandView::of);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<CommandView> listFor(Scope scope, UUID instanceId, Page.PageRequest request) {
        instances.requireExists(scope, instanceId);
        var query = commands.find("instanceId", Sort.descending("createdAt").and("id"), instanceId);
        List<CommandView> items = query.page(io.quarkus.panache.common.Page.of(request.page(), request.size()))
                .list().stream().map(CommandView::of).toList();
        return new Page<>(items, request.page(), request.size(), query.count());
    }

    /**
     * The batch, if every instance it commands is within the scope: a scoped caller never sees what a bulk command
     * did outside its scope, not even as a count. A batch that targeted nothing commands no instance of anyone's.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<BatchView> batch(Scope scope, UUID id) {
        Optional<CommandBatch> visible = batches.findByIdOptional(id)
                .filter(b -> scope.unrestricted() || outOfScope(b.id, scope) == 0);
        return visible.map(b -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            for (CommandState state : CommandState.values()) {
                long n = commands.count("batchId = ?1 and state = ?2", b.id, state);
                if (n > 0) {
                    counts.put(state.wire(), n);
                }
            }
            return new BatchView(b.id, b.command, b.createdAt.toEpochMilli(), b.total, counts);
        });
    }

    /**
     * The newest batches the scope may see (as {@link #batch} decides), with their counts by state: for the console's
     * list. Two queries whatever the limit.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<BatchView> recentBatches(Scope scope, int limit) {
        Map<String, Object> params = new HashMap<>();
        String visible = "";
        if (!scope.unrestricted()) {
            visible = " WHERE NOT EXISTS (SELECT 1 FROM Command c WHERE c.batchId = b.id AND NOT EXISTS"
                    + " (SELECT 1 FROM Instance i WHERE i.id = c.instanceId AND "
                    + AnyTag.of("i.tags", List.of(scope.tagArray()), "scope", params) + "))";
        }
        var query = em.createQuery("SELECT b FROM CommandBatch b" + visible + " ORDER BY b.createdAt DESC, b.id",
                CommandBatch.class).setMaxResults(limit);
        params.forEach(query::setParameter);
        List<CommandBatch> found = query.getResultList();
        if (found.isEmpty()) {
            return List.of();
        }
        Map<UUID, Map<String, Long>> counts = new HashMap<>();
        em.createQuery("SELECT c.batchId, c.state, count(c) FROM Command c WHERE c.batchId IN :ids"
                + " GROUP BY c.batchId, c.state", Object[].class)
                .setParameter("ids", found.stream().map(b -> b.id).toList()).getResultList()
                .forEach(row -> counts.computeIfAbsent((UUID) row[0], k -> new HashMap<>())
                        .put(((CommandState) row[1]).wire(), (Long) row[2]));
        return found.stream().map(b -> {
            Map<String, Long> byState = new LinkedHashMap<>();
            Map<String, Long> of = counts.getOrDefault(b.id, Map.of());
            for (CommandState state : CommandState.values()) {
                if (of.containsKey(state.wire())) {
                    byState.put(state.wire(), of.get(state.wire()));
                }
            }
            return new BatchView(b.id, b.command, b.createdAt.toEpochMilli(), b.total, byState);
        }).toList();
    }

    /** A request that {@link ValidCommand} passed, as it is queued. */
    private Checked checked(ValidCommand.Fields request) {
        JsonNode payload = request.payload();
        Integer ttlSeconds = request.ttlSeconds();
        @SuppressWarnings("unchecked")
        Map<String, Object> body = payload == null || payload.isNull() ? Map.of() : mapper.convertValue(payload, Map.class);
        return new Checked(CommandName.fromWire(request.command()).orElseThrow(), body,
                ttlSeconds == null ? config.defaultTtl() : Duration.ofSeconds(ttlSeconds));
    }

    private Command queue(UUID instanceId, UUID batchId, Checked checked, Instant now) {
        Command c = new Command();
        c.id = UUID.randomUUID();
        c.instanceId = instanceId;
        c.batchId = batchId;
        c.command = checked.name();
        c.payload = checked.payload();
        c.state = CommandState.QUEUED;
        c.createdAt = now;
        c.updatedAt = now;
        c.expiresAt = now.plus(checked.ttl());
        commands.persist(c);
        return c;
    }

    /** How many of the batch's commands are for instances the scope does not admit. */
    private long outOfScope(UUID batchId, Scope scope) {
        Map<String, Object> params = new HashMap<>(Map.of("batch", batchId));
        String inScope = AnyTag.of("i.tags", List.of(scope.tagArray()), "scope", params);
        var query = em.createQuery("SELECT count(c) FROM Command c WHERE c.batchId = :batch AND NOT EXISTS"
                + " (SELECT 1 FROM Instance i WHERE i.id = c.instanceId AND " + inScope + ")", Long.class);
        params.forEach(query::setParameter);
        return query.getSingleResult();
    }

    /**
     * The target's instances within the scope. Named instances out of scope are refused exactly like unknown ones, so
     * the answer never tells a scoped caller that they exist.
     */
    private List<Instance> resolve(Scope scope, Target target) {
        Map<String, Object> params = new HashMap<>(Map.of("decommissioned", InstanceStatus.DECOMMISSIONED));
        List<String> where = new ArrayList<>(List.of("status <> :decommissioned"));
        InstanceRepository.restrict(scope, where, params);
        if (target.instanceIds() != null) {
            List<UUID> ids = new ArrayList<>();
            List<ApiError.Violation> bad = new ArrayList<>();
            for (String raw : target.instanceIds()) {
                Ids.parse(raw).ifPresentOrElse(ids::add,
                        () -> bad.add(new ApiError.Violation("target.instanceIds", "not an instance id: " + raw)));
            }
            if (!bad.isEmpty()) {
                throw ApiException.invalid(bad);
            }
            where.add("id in :ids");
            params.put("ids", ids);
            List<Instance> found = instanceRows.list(String.join(" and ", where), params);
            if (found.size() != ids.stream().distinct().count()) {
                List<UUID> known = found.stream().map(i -> i.id).toList();
                throw ApiException.invalid("target.instanceIds", "unknown or decommissioned: "
                        + ids.stream().filter(id -> !known.contains(id)).distinct().toList());
            }
            return found;
        }
        if (target.status() != null) {
            InstanceStatus status = InstanceStatus.fromWire(target.status()).filter(s -> s != InstanceStatus.DECOMMISSIONED)
                    .orElseThrow(() -> ApiException.invalid("target.status", "must be online, offline or error"));
            where.add("status = :status");
            params.put("status", status);
        } else {
            for (int i = 0; i < target.tags().size(); i++) {
                where.add("array_contains(tags, :tag" + i + ")");
                params.put("tag" + i, target.tags().get(i));
            }
        }
        return instanceRows.list(String.join(" and ", where), params);
    }
}
