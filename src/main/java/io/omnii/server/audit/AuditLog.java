package io.omnii.server.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The only writer of audit_entry: appends one entry to the hash chain (docs/security.md, "Audit log").
 *
 * <p>Appends are serialised by a transaction-scoped advisory lock: each reads the head (the entry with the highest
 * seq) and links to it, so two at once would fork the chain. The lock is held until the transaction of the change
 * commits; that is acceptable because audited actions come at a person's pace (telemetry never writes an entry).
 * Record as the last step of a change, so the lock is held as briefly as possible.
 */
@ApplicationScoped
public class AuditLog {

    /** The advisory lock every append, and the retention purge, holds until its transaction ends. */
    static final long CHAIN_LOCK = 0x6f6d6e69_61756474L;

    private final EntityManager em;
    private final AuditEntryRepository entries;
    private final Clock clock;
    private final Event<AuditRecorded> recorded;

    AuditLog(EntityManager em, AuditEntryRepository entries, Clock clock, Event<AuditRecorded> recorded) {
        this.em = em;
        this.entries = entries;
        this.clock = clock;
        this.recorded = recorded;
    }

    /** Where the chain ends: the newest entry's seq and hash, or seq 0 and the genesis hash when it is empty. */
    record Head(long seq, String hash) {
        static final Head EMPTY = new Head(0, ChainedEntry.GENESIS);
    }

    /**
     * Appends an entry in the caller's transaction, which must exist: the entry commits or rolls back with the
     * change it records. {@code detail} is small and never holds a secret: strings, numbers, booleans, and lists
     * and maps of them. Returns the entry's seq.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public long record(Actor actor, AuditAction action, Target target, Outcome outcome, Map<String, ?> detail) {
        lockChain();
        return append(actor, action, target, outcome, detail, head()).seq;
    }

    /**
     * Appends an entry in a transaction of its own, for what changes nothing else (a failed sign-in, a denied
     * access, a Matter operation that the Matter Server answered). Not from inside a transaction that already
     * recorded: that one holds the chain's lock until it ends, and this one would wait for it forever.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public long recordAlone(Actor actor, AuditAction action, Target target, Outcome outcome, Map<String, ?> detail) {
        lockChain();
        return append(actor, action, target, outcome, detail, head()).seq;
    }

    void lockChain() {
        em.createNativeQuery("SELECT pg_advisory_xact_lock(:key)").setParameter("key", CHAIN_LOCK).getSingleResult();
    }

    /** The chain's head; call with the lock held. */
    Head head() {
        List<?> rows = em.createNativeQuery("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1")
                .getResultList();
        return rows.stream().findFirst().map(r -> (Object[]) r)
                .map(r -> new Head(((Number) r[0]).longValue(), (String) r[1])).orElse(Head.EMPTY);
    }

    /** Appends after the given head; call with the lock held. */
    AuditEntry append(Actor actor, AuditAction action, Target target, Outcome outcome, Map<String, ?> detail,
            Head head) {
        // timestamptz keeps microseconds: the instant hashed must be the one stored.
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        ChainedEntry content = new ChainedEntry(head.seq() + 1, at, actor.kind().wire(), actor.id(), actor.name(),
                actor.role(), actor.address(), actor.requestId(), action.wire(), target.type().wire(), target.id(),
                target.tags(), outcome.wire(), CanonicalJson.of(detail), head.hash());
        AuditEntry entry = new AuditEntry();
        entry.seq = content.seq();
        entry.at = content.at();
        entry.actorKind = content.actorKind();
        entry.actorId = content.actorId();
        entry.actorName = content.actorName();
        entry.actorRole = content.actorRole();
        entry.address = content.address();
        entry.requestId = content.requestId();
        entry.action = content.action();
        entry.targetType = content.targetType();
        entry.targetId = content.targetId();
        entry.targetTags = content.targetTags();
        entry.outcome = content.outcome();
        entry.detail = content.detail();
        entry.prevHash = content.prevHash();
        entry.hash = content.seal();
        entries.persist(entry);
        em.flush(); // the insert fails here, in the change's code, not later at its commit
        recorded.fire(new AuditRecorded(action));
        return entry;
    }
}
