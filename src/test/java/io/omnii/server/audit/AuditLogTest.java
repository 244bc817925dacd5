package io.omnii.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.common.Times;
import io.omnii.server.testsupport.PeriodicJobRows;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionalException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AuditLogTest extends ServerTest {

    private static final Actor ALICE = new Actor(Actor.Kind.USER, "u-1", "alice", "admin", "192.0.2.7", "req-1");

    @Inject
    AuditLog log;

    @Inject
    AuditVerifier verifier;

    @Inject
    AuditRetention retention;

    @Inject
    MeterRegistry registry;

    @Inject
    AuditTable table;

    // Before and after: each test starts from an empty log, and none leaves a tampered chain to the next class.
    @BeforeEach
    @AfterEach
    void emptyLog() {
        table.reset();
    }

    private long record(AuditAction action, Target target, Map<String, ?> detail) {
        return QuarkusTransaction.requiringNew().call(() -> log.record(ALICE, action, target, Outcome.SUCCESS, detail));
    }

    private void recordFive() {
        for (int i = 0; i < 5; i++) {
            record(AuditAction.INSTANCE_UPDATE, Target.instance(UUID.randomUUID(), List.of("customer:smith")),
                    Map.of("name", "Home " + i));
        }
    }

    private List<Map<String, Object>> rows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (List<Object> r : table.rows("SELECT seq, prev_hash, hash FROM audit_entry ORDER BY seq")) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("seq", ((Number) r.get(0)).longValue());
            row.put("prev", r.get(1));
            row.put("hash", r.get(2));
            rows.add(row);
        }
        return rows;
    }

    @Test
    void entriesLinkEachToTheHashOfTheOneBefore() {
        recordFive();
        List<Map<String, Object>> rows = rows();
        assertThat(rows).extracting(r -> r.get("seq")).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(rows.get(0).get("prev")).isEqualTo("0".repeat(64));
        for (int i = 1; i < rows.size(); i++) {
            assertThat(rows.get(i).get("prev")).isEqualTo(rows.get(i - 1).get("hash"));
        }
        Verification v = verifier.verify();
        assertThat(v.ok()).isTrue();
        assertThat(v.entries()).isEqualTo(5);
        assertThat(v.firstSeq()).isEqualTo(1);
        assertThat(v.lastSeq()).isEqualTo(5);
        assertThat(v.headHash()).isEqualTo(rows.get(4).get("hash"));
        assertThat(v.brokenAt()).isNull();
    }

    @Test
    void anEmptyLogVerifies() {
        Verification v = verifier.verify();
        assertThat(v.ok()).isTrue();
        assertThat(v.entries()).isZero();
        assertThat(v.firstSeq()).isNull();
    }

    @Test
    void recordOutsideATransactionIsRefused() {
        assertThatThrownBy(() -> log.record(ALICE, AuditAction.COMMAND_SEND, Target.command(UUID.randomUUID(),
                List.of()), Outcome.SUCCESS, Map.of())).isInstanceOf(TransactionalException.class);
        assertThat(table.count()).isZero();
    }

    @Test
    void updateDeleteAndTruncateThroughSqlAreRefused() {
        recordFive();
        assertRefused("UPDATE audit_entry SET actor_name = 'mallory' WHERE seq = 3");
        assertRefused("DELETE FROM audit_entry WHERE seq = 3");
        assertRefused("DELETE FROM audit_entry");
        assertRefused("TRUNCATE audit_entry");
        // The purge's permission covers only a whole prefix, and only up to its seq.
        assertRefused("SELECT set_config('omnii.audit_purge', '3', true); DELETE FROM audit_entry WHERE seq = 2");
        assertRefused("SELECT set_config('omnii.audit_purge', '3', true); DELETE FROM audit_entry WHERE seq <= 4");
        assertThat(table.count()).isEqualTo(5);
        assertThat(table.rows("SELECT actor_name FROM audit_entry WHERE seq = 3").get(0)).containsExactly("alice");
        assertThat(verifier.verify().ok()).isTrue();
    }

    private void assertRefused(String sql) {
        assertThatThrownBy(() -> table.execute(sql)).isInstanceOf(SQLException.class)
                .hasMessageContaining("audit");
    }

    @Test
    void anEditedEntryIsReportedAtItsSeq() {
        recordFive();
        table.tamper("UPDATE audit_entry SET actor_name = 'mallory' WHERE seq = 3");
        assertBroken(3, Verification.Reason.CONTENT_CHANGED);
    }

    @Test
    void anEntryWhoseHashOrLinkWasReplacedIsReportedAtItsSeq() {
        recordFive();
        table.tamper("UPDATE audit_entry SET hash = repeat('a', 64) WHERE seq = 3");
        assertBroken(3, Verification.Reason.CONTENT_CHANGED);
        table.tamper("UPDATE audit_entry SET hash = (SELECT prev_hash FROM audit_entry WHERE seq = 4) WHERE seq = 3");
        assertThat(verifier.verify().ok()).isTrue();
        table.tamper("UPDATE audit_entry SET prev_hash = repeat('b', 64) WHERE seq = 4");
        assertBroken(4, Verification.Reason.CONTENT_CHANGED);
    }

    private String sealOf(long seq) {
        return (String) table.rows("SELECT hash FROM audit_entry WHERE seq = " + seq).get(0).get(0);
    }

    @Test
    void aRelinkedEntryIsReportedAsABrokenLink() {
        recordFive();
        // Entry 4 sealed again over a different previous hash: its own hash holds, its link does not.
        List<Object> row = table.rows("SELECT seq, at, actor_kind, actor_id, actor_name, actor_role, address,"
                + " request_id, action, target_type, target_id, target_tags, outcome, detail::text, prev_hash"
                + " FROM audit_entry WHERE seq = 4").get(0);
        String fakePrev = "c".repeat(64);
        ChainedEntry relinked = new ChainedEntry(4, Times.instant(row.get(1)),
                (String) row.get(2), (String) row.get(3), (String) row.get(4), (String) row.get(5),
                (String) row.get(6), (String) row.get(7), (String) row.get(8), (String) row.get(9),
                (String) row.get(10), tags(row.get(11)), (String) row.get(12), CanonicalJson.of((String) row.get(13)),
                fakePrev);
        table.tamper("UPDATE audit_entry SET prev_hash = '" + fakePrev + "', hash = '" + relinked.seal()
                + "' WHERE seq = 4");
        assertBroken(4, Verification.Reason.LINK_BROKEN);
    }

    private static List<String> tags(Object array) {
        try {
            return List.of((String[]) ((java.sql.Array) array).getArray());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aDeletedMiddleEntryIsReportedAsAGapAtItsSeq() {
        recordFive();
        table.tamper("DELETE FROM audit_entry WHERE seq = 3");
        assertBroken(3, Verification.Reason.GAP);
    }

    @Test
    void aDeletedPrefixWithoutARecordedPurgeIsReportedFromSeqOne() {
        recordFive();
        table.tamper("DELETE FROM audit_entry WHERE seq <= 2");
        Verification v = assertBroken(1, Verification.Reason.GAP);
        assertThat(v.firstSeq()).isEqualTo(3);
        assertThat(v.entries()).isEqualTo(3);
    }

    private Verification assertBroken(long seq, Verification.Reason reason) {
        Verification v = verifier.verify();
        assertThat(v.ok()).isFalse();
        assertThat(v.brokenAt()).isEqualTo(new Verification.BrokenLink(seq, reason));
        return v;
    }

    @Test
    void thePurgeDeletesTheOldPrefixAndTheChainStillVerifies() {
        recordFive();
        clock.advance(Duration.ofDays(401));
        record(AuditAction.COMMAND_SEND, Target.command(UUID.randomUUID(), List.of()), Map.of());
        String continuesFrom = sealOf(5);

        AuditRetention.Purged purged = retention.purge().orElseThrow();

        assertThat(purged.throughSeq()).isEqualTo(5);
        assertThat(purged.deleted()).isEqualTo(5);
        assertThat(purged.entrySeq()).isEqualTo(7);
        assertThat(table.rows("SELECT seq, action, detail->>'throughSeq', detail->>'continuesFrom', actor_kind"
                + " FROM audit_entry ORDER BY seq")).containsExactly(
                        Arrays.asList(6L, "command.send", null, null, "user"),
                        List.of(7L, "audit.purge", "5", continuesFrom, "system"));
        Verification v = verifier.verify();
        assertThat(v.ok()).as("%s", v).isTrue();
        assertThat(v.firstSeq()).isEqualTo(6);
        assertThat(v.entries()).isEqualTo(2);
        assertThat(retention.purge()).as("nothing more is old enough").isEmpty();
    }

    @Test
    void theScheduledPurgeRunsOncePerIntervalWhicheverReplicaTicks() {
        PeriodicJobRows.assertRunsOncePerInterval(db, AuditRetention.JOB, () -> {
            recordFive();
            clock.advance(Duration.ofDays(401));
        }, retention::scheduled, () -> table.count() - 1); // all but the purge's own entry
    }

    @Test
    void entriesDeletedAfterARecordedPurgeAreReportedFromJustAfterIt() {
        recordFive();
        clock.advance(Duration.ofDays(401));
        for (int i = 0; i < 3; i++) {
            record(AuditAction.COMMAND_SEND, Target.command(UUID.randomUUID(), List.of()), Map.of());
        }
        retention.purge().orElseThrow();
        table.tamper("DELETE FROM audit_entry WHERE seq <= 7");
        assertBroken(6, Verification.Reason.GAP);
    }

    @Test
    void thePurgeNeverCutsAnOldEntryOutOfTheMiddle() {
        clock.advance(Duration.ofDays(200));
        record(AuditAction.COMMAND_SEND, Target.command(UUID.randomUUID(), List.of()), Map.of());
        clock.advance(Duration.ofDays(-200)); // the clock stepped back
        record(AuditAction.COMMAND_SEND, Target.command(UUID.randomUUID(), List.of()), Map.of());
        clock.advance(Duration.ofDays(401)); // entry 2 is past the retention, entry 1 before it is not
        assertThat(retention.purge()).isEmpty();
        assertThat(table.count()).isEqualTo(2);
    }

    @Test
    void concurrentWritersKeepOneUnbrokenChain() throws Exception {
        int threads = 8;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<Void>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int writer = t;
                writers.add(() -> {
                    for (int i = 0; i < each; i++) {
                        log.recordAlone(ALICE, AuditAction.AUTH_SIGN_IN_FAILED, Target.audit(), Outcome.DENIED,
                                Map.of("writer", writer, "i", i));
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(writers)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Verification v = verifier.verify();
        assertThat(v.ok()).as("%s", v).isTrue();
        assertThat(v.entries()).isEqualTo(threads * each);
        assertThat(v.lastSeq()).isEqualTo(threads * each);
    }

    @Test
    void aRolledBackChangeLeavesNoEntryAndNoCount() {
        double before = count(AuditAction.INSTANCE_DECOMMISSION);
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
            log.record(ALICE, AuditAction.INSTANCE_DECOMMISSION, Target.instance(UUID.randomUUID(), List.of()),
                    Outcome.SUCCESS, Map.of());
            throw new IllegalStateException("the change failed");
        })).hasStackTraceContaining("the change failed");
        assertThat(table.count()).isZero();
        assertThat(count(AuditAction.INSTANCE_DECOMMISSION)).isEqualTo(before);

        record(AuditAction.INSTANCE_DECOMMISSION, Target.instance(UUID.randomUUID(), List.of()), Map.of());
        assertThat(count(AuditAction.INSTANCE_DECOMMISSION)).isEqualTo(before + 1);
        assertThat(table.rows("SELECT seq FROM audit_entry")).containsExactly(List.of(1L));
    }

    private double count(AuditAction action) {
        return registry.get("omnii.audit.entries").tag("action", action.wire()).counter().count();
    }

    @Test
    void detailAndTextSurviveTheDatabaseAndStillVerify() {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("zeta", 1);
        detail.put("alpha", List.of(1.50, 100, new java.math.BigDecimal("12345678901234567890.000100"), -0.0));
        detail.put("big", Long.MAX_VALUE);
        detail.put("text", "caf\u00e9 \"quoted\" \\ tab\t nul\u0000 lone\ud800 emoji \ud83d\ude00");
        detail.put("nested", Map.of("b", true, "a", "x"));
        detail.put("nothing", null);
        Actor hostile = new Actor(Actor.Kind.ANONYMOUS, null, "nul\u0000name", null, "lone\udc00",
                "r".repeat(10_000));
        QuarkusTransaction.requiringNew().run(() -> log.record(hostile, AuditAction.AUTH_SIGN_IN_FAILED,
                Target.instance(UUID.randomUUID(), List.of("b", "a", "a")), Outcome.DENIED, detail));
        Verification v = verifier.verify();
        assertThat(v.ok()).as("%s", v).isTrue();
        assertThat(table.rows("SELECT actor_name, length(request_id), target_tags::text FROM audit_entry"))
                .containsExactly(List.of("nul\ufffdname", 256, "{a,b}"));
    }
}
