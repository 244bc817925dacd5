package io.omnii.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionalException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

    @BeforeEach
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
}
