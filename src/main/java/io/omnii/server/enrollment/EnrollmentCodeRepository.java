package io.omnii.server.enrollment;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class EnrollmentCodeRepository implements PanacheRepositoryBase<EnrollmentCode, UUID> {
}
