package io.omnii.server.audit;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class AuditEntryRepository implements PanacheRepositoryBase<AuditEntry, Long> {
}
