package io.omnii.server.enrollment;

import io.omnii.server.audit.Actor;
import io.omnii.server.audit.AuditAction;
import io.omnii.server.audit.AuditLog;
import io.omnii.server.audit.Outcome;
import io.omnii.server.audit.Target;
import io.omnii.server.auth.Scope;
import io.omnii.server.broker.BrokerAccounts;
import io.omnii.server.common.AnyTag;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Page;
import io.omnii.server.enrollment.EnrollmentPayloads.CodeView;
import io.omnii.server.enrollment.EnrollmentPayloads.EnrollRequest;
import io.omnii.server.enrollment.EnrollmentPayloads.Enrollment;
import io.omnii.server.enrollment.EnrollmentPayloads.EnrollmentTopics;
import io.omnii.server.enrollment.EnrollmentPayloads.NewCode;
import io.omnii.server.fleet.Instance;
import io.omnii.server.fleet.InstanceRules;
import io.omnii.server.fleet.InstanceService;
import io.omnii.server.mqtt.MqttConfig;
import io.omnii.server.mqtt.Topics;
import io.quarkus.logging.Log;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Enrollment codes and the enroll exchange that turns one into an instance. */
@ApplicationScoped
public class EnrollmentService {

    static final int CODE_SPACE = 1_000_000;
    private static final int MAX_DRAWS = 50;
    // Serialises code creation across replicas, so no two live codes can share a value.
    private static final long CODE_CREATION_LOCK = 0x6f6d6e6969_01L;
    // A code of another key is not live even if its hash matched: the listing calls it void, so enroll must refuse it.
    private static final String LIVE_CODE = "codeHash = ?1 and usedAt is null and revokedAt is null and expiresAt > ?2"
            + " and (keyId is null or keyId = ?3)";

    private final SecureRandom random = new SecureRandom();
    private final EntityManager em;
    private final Clock clock;
    private final EnrollmentConfig config;
    private final CodeHasher hasher;
    private final EnrollmentThrottle throttle;
    private final InstanceService instances;
    private final MqttConfig mqtt;
    private final EnrollmentMetrics metrics;
    private final BrokerAccounts accounts;
    private final EnrollmentCodeRepository codes;
    private final Validator validator;
    private final AuditLog audit;

    EnrollmentService(EntityManager em, Clock clock, EnrollmentConfig config, CodeHasher hasher,
            EnrollmentThrottle throttle, InstanceService instances, MqttConfig mqtt, EnrollmentMetrics metrics,
            BrokerAccounts accounts, EnrollmentCodeRepository codes, Validator validator, AuditLog audit) {
        this.audit = audit;
        this.accounts = accounts;
        this.codes = codes;
        this.validator = validator;
        this.em = em;
        this.clock = clock;
        this.config = config;
        this.hasher = hasher;
        this.throttle = throttle;
        this.instances = instances;
        this.mqtt = mqtt;
        this.metrics = metrics;
    }

    /**
     * Creates a code carrying {@code tags} (see {@link #codeTags}), which the instance it enrolls will carry too; the
     * returned value is the only time the code itself is ever seen (never audited).
     */
    @Transactional
    public NewCode createCode(Scope scope, List<String> tags, Integer expiresInHours, Actor actor) {
        int hours = expiresInHours == null ? config.defaultExpiryHours() : expiresInHours; // checked: CodeLifetime
        List<String> codeTags = codeTags(scope, tags);

        em.createNativeQuery("SELECT pg_advisory_xact_lock(:key)").setParameter("key", CODE_CREATION_LOCK)
                .getSingleResult();
        Instant now = clock.instant();
        for (int draw = 0; draw < MAX_DRAWS; draw++) {
            String code = String.format("%06d", random.nextInt(CODE_SPACE));
            String hash = hasher.hash(code);
            if (codes.count(LIVE_CODE, hash, now, hasher.keyId()) == 0) {
                EnrollmentCode row = new EnrollmentCode();
                row.id = UUID.randomUUID();
                row.codeHash = hash;
                row.keyId = hasher.keyId();
                row.tags = codeTags;
                row.createdAt = now;
                row.expiresAt = now.plus(Duration.ofHours(hours));
                codes.persist(row);
                Log.infof("Enrollment code %s created, expires %s", row.id, row.expiresAt);
                audit.record(actor, AuditAction.ENROLLMENT_CODE_CREATE, Target.enrollmentCode(row.id, row.tags), Outcome.SUCCESS,
                        Map.of("expiresAt", row.expiresAt.toEpochMilli()));
                return new NewCode(code, row.expiresAt.toEpochMilli(), row.id);
            }
        }
        throw new ApiException(503, "code_space_exhausted", "Too many live enrollment codes; revoke some first");
    }

    /**
     * The tags a new code gives its instance. A scoped caller names some of its scope's tags, or none when its scope
     * has one tag, which is then taken: never all of a scope's tags by default, since one account may cover many
     * customers and each home belongs to one of them. An unscoped caller names any tags, or none.
     */
    static List<String> codeTags(Scope scope, List<String> requested) {
        List<String> tags = requested == null ? null : InstanceRules.normalizeTags(requested);
        if (scope.unrestricted()) {
            return tags == null ? List.of() : tags;
        }
        if (tags == null && scope.tags().size() == 1) {
            return List.copyOf(scope.tags());
        }
        if (tags == null || tags.isEmpty()) {
            throw ApiException.invalid("tags", "is required: name the tags of your scope the instance will carry");
        }
        if (!scope.tags().containsAll(tags)) {
            throw ApiException.invalid("tags", "must be tags of your scope");
        }
        return tags;
    }

    /** The codes, newest first; a scoped caller sees those whose tags overlap its scope. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<CodeView> listCodes(Scope scope, Page.PageRequest request) {
        Sort order = Sort.descending("createdAt").and("id");
        Map<String, Object> params = new HashMap<>();
        var query = scope.unrestricted() ? codes.findAll(order) : codes.find(inScope(scope, params), order, params);
        List<EnrollmentCode> rows = query.page(io.quarkus.panache.common.Page.of(request.page(), request.size())).list();
        Instant now = clock.instant();
        return new Page<>(rows.stream().map(c -> CodeView.of(c, now, hasher.keyId())).toList(), request.page(),
                request.size(), query.count());
    }

    /** Revokes a code that has not been used; another scope's code is as missing. Revoking twice is harmless. */
    @Transactional
    public void revoke(Scope scope, UUID id, Actor actor) {
        Map<String, Object> params = new HashMap<>(Map.of("id", id));
        var found = scope.unrestricted() ? codes.find("id", id)
                : codes.find("id = :id and " + inScope(scope, params), params);
        EnrollmentCode code = found.withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional()
                .orElseThrow(() -> ApiException.notFound("Enrollment code"));
        if (code.usedAt != null) {
            throw new ApiException(409, "code_already_used", "The code has already been used to enroll an instance");
        }
        boolean already = code.revokedAt != null;
        if (!already) {
            code.revokedAt = clock.instant();
            Log.infof("Enrollment code %s revoked", id);
        }
        audit.record(actor, AuditAction.ENROLLMENT_CODE_REVOKE, Target.enrollmentCode(id, code.tags), Outcome.SUCCESS,
                Map.of("alreadyRevoked", already));
    }

    /** A scoped caller's codes: those made under a scope that shares a tag with its own. */
    private static String inScope(Scope scope, Map<String, Object> params) {
        return AnyTag.of("tags", List.of(scope.tagArray()), "scope", params);
    }

    /**
     * Trades a code for an instance identity. Unknown, expired, used and revoked codes all get the same answer;
     * every attempt is throttled first, and only failed ones keep their throttle token. The request is validated
     * here rather than at the door because a refused one counts as a failed attempt.
     */
    public Enrollment enroll(EnrollRequest request, String clientAddress, Actor caller) {
        if (request == null) {
            metrics.failed(EnrollmentMetrics.Failure.INVALID_REQUEST);
            throw ApiException.invalid("body", "is required");
        }
        Set<ConstraintViolation<EnrollRequest>> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            metrics.failed(EnrollmentMetrics.Failure.INVALID_REQUEST);
            throw new ConstraintViolationException(violations);
        }

        throttle.acquire(clientAddress);
        Optional<Enrollment> enrollment;
        try {
            enrollment = redeem(request.code().strip(), request.name(), caller);
        } catch (BrokerAccounts.ProvisioningException e) {
            // Rolled back as a whole: no instance, and the code is still good. Not the caller's fault.
            throttle.release(clientAddress);
            throw e;
        }
        if (enrollment.isEmpty()) {
            metrics.failed(EnrollmentMetrics.Failure.INVALID_CODE);
            Log.infof("Enrollment from %s rejected: invalid code", clientAddress);
            throw new ApiException(400, "invalid_enrollment_code",
                    "The enrollment code is not valid. Ask an administrator for a new one.");
        }
        throttle.release(clientAddress);
        metrics.enrolled();
        Log.infof("Instance %s enrolled from %s", enrollment.get().instanceId(), clientAddress);
        return enrollment.get();
    }

    /** Its own transaction: the throttle's tokens are taken before it and given back after it, whatever it did. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    Optional<Enrollment> redeem(String code, String name, Actor caller) {
        Instant now = clock.instant();
        // The row lock makes concurrent redemptions of one code queue up; after the first commits, the others
        // re-check the row, find it used, and get nothing.
        Optional<EnrollmentCode> found = codes.find(LIVE_CODE, hasher.hash(code), now, hasher.keyId())
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResultOptional();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Instance instance = instances.create(name, found.get().tags, now);
        found.get().usedAt = now;
        found.get().instanceId = instance.id;
        // Last, inside the transaction: a refusal rolls back the instance and the code's use together. A commit
        // failing after it leaves a broker account without instance, which the next reconciliation removes.
        Optional<BrokerAccounts.Credentials> credentials = accounts.provision(instance.id, instance.mqttClientId);
        // The add-on acts with the code: the entry names the code's id, never the code.
        audit.record(Actor.enrollment(found.get().id, caller.address(), caller.requestId()),
                AuditAction.INSTANCE_ENROLL, Target.instance(instance.id, instance.tags), Outcome.SUCCESS,
                Map.of("name", instance.name));
        return Optional.of(new Enrollment(instance.id, instance.mqttClientId, mqtt.instanceBrokerUrl(),
                new EnrollmentTopics(Topics.status(instance.id), Topics.heartbeat(instance.id),
                        Topics.metrics(instance.id), Topics.commands(instance.id)),
                credentials.map(BrokerAccounts.Credentials::username).orElse(null),
                credentials.map(BrokerAccounts.Credentials::password).orElse(null)));
    }
}
