package io.omnii.server.audit;

import java.time.Instant;
import java.util.Optional;

/** Filters of GET /audit; all optional, and all given must match. {@code to} is exclusive. */
public record AuditQuery(Optional<String> actor, Optional<AuditAction> action, Optional<Target.Type> targetType,
        Optional<String> targetId, Optional<Instant> from, Optional<Instant> to) {

    public static final AuditQuery ALL = new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty());
}
