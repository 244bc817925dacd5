package io.omnii.server.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.Map;

/** {@code omnii_audit_entries_total{action}}: entries committed, by action; every action from the start at zero. */
// Created at start-up so that every series is exported, at zero, before the first event.
@Startup
@Singleton
public class AuditMetrics {

    private final Map<AuditAction, Counter> entries = new EnumMap<>(AuditAction.class);

    AuditMetrics(MeterRegistry registry) {
        for (AuditAction action : AuditAction.values()) {
            entries.put(action, Counter.builder("omnii.audit.entries").description("Audit entries committed, by action")
                    .tag("action", action.wire()).register(registry));
        }
    }

    // After the commit only: an entry rolled back with its change was never in the log.
    void committed(@Observes(during = TransactionPhase.AFTER_SUCCESS) AuditRecorded recorded) {
        entries.get(recorded.action()).increment();
    }
}
