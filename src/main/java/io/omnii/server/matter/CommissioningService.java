package io.omnii.server.matter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.NetUtil;
import io.omnii.server.audit.Actor;
import io.omnii.server.audit.AuditAction;
import io.omnii.server.audit.AuditLog;
import io.omnii.server.audit.Outcome;
import io.omnii.server.audit.Target;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Change;
import io.omnii.server.common.Page;
import io.omnii.server.common.Times;
import io.omnii.server.matter.MatterPayloads.CommissioningRequest;
import io.omnii.server.matter.MatterPayloads.CommissioningView;
import io.quarkus.logging.Log;
import io.quarkus.panache.common.Sort;
import io.omnii.server.replica.Replicas;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * Commissioning as an operation: recorded as pending, relayed, and finished with the outcome when the Matter
 * Server answers (seconds to minutes later), fails, or does not answer within omnii.matter.commissioning-timeout.
 * One at a time across every replica (a unique index on the pending state). Each attempt names its owner, the
 * replica incarnation that relays it: only the owner hears the answer, so an attempt whose owner is gone is failed by
 * whichever replica notices first. The setup code or PIN is a secret of the device: it is relayed, never stored or
 * logged.
 */
@Singleton
public class CommissioningService {

    static final String PENDING = "pending";
    static final String SUCCEEDED = "succeeded";
    static final String FAILED = "failed";
    private static final Pattern IPV6_SCOPE = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    static final String NO_METHOD = "give a pairing code, or setupPinCode to commission on the network";
    private static final String UNSURE = "; the device may still have joined the fabric: see GET /matter/nodes";
    static final String OWNER_GONE = "interrupted: the Omnii server replica relaying it stopped before the Matter"
            + " Server answered" + UNSURE;

    private final MatterClient client;
    private final MatterRelay relay;
    private final MatterConfig config;
    private final MatterCommissioningRepository attempts;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Counter succeeded;
    private final Counter failed;
    private final Timer duration;
    private final AuditLog audit;
    private final Event<Change> changes;
    private final Replicas replicas;
    private final MatterInventory inventory;

    CommissioningService(MatterClient client, MatterRelay relay, MatterConfig config,
            MatterCommissioningRepository attempts, ObjectMapper mapper, Clock clock, MeterRegistry registry,
            AuditLog audit, Event<Change> changes, Replicas replicas,
            MatterInventory inventory) {
        this.replicas = replicas;
        this.inventory = inventory;
        this.audit = audit;
        this.changes = changes;
        this.client = client;
        this.relay = relay;
        this.config = config;
        this.attempts = attempts;
        this.mapper = mapper;
        this.clock = clock;
        this.succeeded = Counter.builder("omnii.matter.commissioning").tag("outcome", SUCCEEDED)
                .description("Commissioning attempts by outcome").register(registry);
        this.failed = Counter.builder("omnii.matter.commissioning").tag("outcome", FAILED)
                .description("Commissioning attempts by outcome").register(registry);
        this.duration = Timer.builder("omnii.matter.commissioning.duration").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofSeconds(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .description("How long commissioning attempts took, whatever their outcome").register(registry);
    }

    /**
     * At start-up (this replica registered already: Lifecycle.REPLICA_REGISTRY comes first), then every heartbeat
     * interval: an attempt pending whose owner is gone has nobody to record its outcome, so say so. An attempt whose
     * owner is alive is its owner's to finish.
     */
    void onStart(@Observes StartupEvent event) {
        failOrphaned();
    }

    @Scheduled(every = "${omnii.replicas.heartbeat-interval}", delayed = "${omnii.replicas.heartbeat-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void failOrphaned() {
        List<UUID> failed = attempts.failOrphaned(replicas.incarnation(), replicas.liveIncarnationsSql(), OWNER_GONE,
                clock.instant());
        failed.forEach(id -> changes.fire(Change.fleetWide(Change.Kind.COMMISSIONING, id)));
        if (!failed.isEmpty()) {
            Log.warnf("%d commissioning attempt(s) failed: the replica relaying them is gone", failed.size());
        }
    }

    /** The code first (a bad one is a 400 whatever else is wrong), then the relay, then the server's features. */
    public CommissioningView start(@Valid CommissioningRequest request, Actor actor) {
        if (request == null) {
            throw ApiException.invalid("code", NO_METHOD);
        }
        Relayed relayed = relayed(request);
        relay.requireRelay();
        relay.requireNamedCredentials("wifiCredentialsId", request.wifiCredentialsId());
        relay.requireNamedCredentials("threadDatasetId", request.threadDatasetId());
        if (!client.state().connected()) {
            throw new MatterServerException(MatterServerException.UNAVAILABLE, "not connected to the Matter Server"
                    + client.state().lastError().map(e -> " (" + e + ")").orElse(""));
        }
        UUID id = UUID.randomUUID();
        Instant now = clock.instant();
        if (!recordPending(id, relayed.method(), relayed.networkOnly(), now, actor)) {
            throw new ApiException(409, "commissioning_in_progress",
                    "Another commissioning is in progress; wait for its outcome (GET /matter/commissioning)");
        }
        Log.infof("Commissioning %s started (%s%s)", id, relayed.method(), relayed.networkOnly() ? ", network only" : "");
        // The outcome is recorded after the node_added that came before it, so the node is in the inventory by then.
        client.sendThenHandleAfterPrecedingEvents(relayed.command(), relayed.args(), config.commissioningTimeout(),
                (node, failure) -> finish(id, now, node, failure));
        return new CommissioningView(id, relayed.method(), relayed.networkOnly(), PENDING, null, null, null,
                now.toEpochMilli(), null, null);
    }

    /**
     * Committed before the command goes out, so that its outcome has a row to land in; with its audit entry (never
     * the code or PIN), which the outcome does not change: GET /matter/commissioning/{id} has that.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    boolean recordPending(UUID id, String method, boolean networkOnly, Instant now, Actor actor) {
        boolean inserted = attempts.insertPending(id, replicas.incarnation(), method, networkOnly, now);
        if (inserted) {
            changes.fire(Change.fleetWide(Change.Kind.COMMISSIONING, id));
            audit.record(actor, AuditAction.MATTER_COMMISSION, Target.matterCommissioning(id), Outcome.SUCCESS,
                    Map.of("method", method, "networkOnly", networkOnly));
        }
        return inserted;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<CommissioningView> list(Page.PageRequest page) {
        var query = attempts.findAll(Sort.descending("createdAt").and("id"));
        List<CommissioningView> items = query.page(io.quarkus.panache.common.Page.of(page.page(), page.size())).list()
                .stream().map(CommissioningService::view).toList();
        return new Page<>(items, page.page(), page.size(), query.count());
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<CommissioningView> find(UUID id) {
        return attempts.findByIdOptional(id).map(CommissioningService::view);
    }

    private void finish(UUID id, Instant started, JsonNode node, Throwable failure) {
        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
        BigInteger nodeId = null;
        Integer errorCode = null;
        String error = null;
        if (cause == null && node.path("node_id").isIntegralNumber()) {
            nodeId = node.path("node_id").bigIntegerValue();
            inventory.commissioned(node);
        } else if (cause instanceof MatterServerException e) {
            errorCode = e.errorCode();
            // Only a refusal before joining (1), or of our arguments (8, 9), is sure to leave the device off the
            // fabric; after failed interviews python-matter-server answers 2 or 5 with the device on it.
            error = e.getMessage() + (e.errorCode() == 1 || e.errorCode() == 8 || e.errorCode() == 9 ? "" : UNSURE);
        } else {
            errorCode = MatterServerException.UNAVAILABLE;
            error = cause == null ? "the Matter Server's answer names no node" + UNSURE : String.valueOf(cause);
        }
        Instant now = clock.instant();
        duration.record(Duration.between(started, now));
        (nodeId != null ? succeeded : failed).increment();
        if (nodeId != null) {
            Log.infof("Commissioning %s succeeded: node %s", id, nodeId);
        } else {
            Log.warnf("Commissioning %s failed: %s", id, error);
        }
        String state = nodeId != null ? SUCCEEDED : FAILED;
        BigDecimal node_ = nodeId == null ? null : new BigDecimal(nodeId);
        String message = error == null ? null : error.length() <= 2000 ? error : error.substring(0, 2000);
        Integer code = errorCode;
        try {
            recordOutcome(id, state, node_, code, message, now);
        } catch (RuntimeException e) {
            Log.errorf(e, "Could not record the outcome of commissioning %s", id);
        }
    }

    /** Only a pending attempt takes an outcome: one the restart already failed keeps that. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    void recordOutcome(UUID id, String state, BigDecimal nodeId, Integer errorCode, String error, Instant now) {
        if (attempts.update("state = ?1, nodeId = ?2, errorCode = ?3, error = ?4, finishedAt = ?5"
                + " where id = ?6 and state = ?7", state, nodeId, errorCode, error, now, id, PENDING) > 0) {
            changes.fire(Change.fleetWide(Change.Kind.COMMISSIONING, id));
        }
    }

    /** The Matter Server command and its arguments for a request, after checking every field. */
    private record Relayed(String method, boolean networkOnly, String command, ObjectNode args) {
    }

    /** The Matter Server command for a request that {@link CommissioningArguments} passed. */
    private Relayed relayed(CommissioningRequest r) {
        ObjectNode args = mapper.createObjectNode();
        if (r.code() != null) {
            boolean networkOnly = Boolean.TRUE.equals(r.networkOnly());
            args.put("code", SetupCode.parse(r.code()).value()).put("network_only", networkOnly);
            if (r.wifiCredentialsId() != null) {
                args.put("wifi_credentials_id", r.wifiCredentialsId());
            }
            if (r.threadDatasetId() != null) {
                args.put("thread_dataset_id", r.threadDatasetId());
            }
            return new Relayed("code", networkOnly, "commission_with_code", args);
        }
        int filterType = r.filterType() == null ? 0 : r.filterType();
        args.put("setup_pin_code", r.setupPinCode()).put("filter_type", filterType);
        if (filterType != 0) {
            args.put("filter", r.filter().asLong());
        }
        if (r.ipAddress() != null) {
            args.put("ip_addr", r.ipAddress());
        }
        return new Relayed("network", true, "commission_on_network", args);
    }

    /**
     * An IPv4 or IPv6 address as the Matter Server parses it (python's ipaddress, which fails anything else with
     * error 0), checked without a name lookup; IPv6 may carry a scope (fe80::1%eth0), never brackets.
     */
    static boolean ipLiteral(String text) {
        int percent = text.indexOf('%');
        if (text.startsWith("[")) {
            return false;
        }
        if (percent < 0) {
            return NetUtil.isValidIpV4Address(text) || NetUtil.isValidIpV6Address(text);
        }
        return NetUtil.isValidIpV6Address(text.substring(0, percent))
                && IPV6_SCOPE.matcher(text.substring(percent + 1)).matches();
    }

    static long filterMaximum(int filterType) {
        return switch (filterType) {
            case 1 -> 15;
            case 2 -> 4095;
            case 3 -> 65535;
            default -> 0xFFFF_FFFFL;
        };
    }

    private static CommissioningView view(MatterCommissioning c) {
        return new CommissioningView(c.id, c.method, c.networkOnly, c.state,
                c.nodeId == null ? null : c.nodeId.toBigIntegerExact(), c.errorCode, c.error,
                c.createdAt.toEpochMilli(), Times.millis(c.finishedAt),
                c.finishedAt == null ? null : Duration.between(c.createdAt, c.finishedAt).toMillis());
    }
}
