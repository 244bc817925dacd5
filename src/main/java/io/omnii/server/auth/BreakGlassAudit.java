package io.omnii.server.auth;

import io.omnii.server.audit.Actor;
import io.omnii.server.audit.AuditAction;
import io.omnii.server.audit.AuditLog;
import io.omnii.server.audit.Outcome;
import io.omnii.server.audit.Target;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.util.List;
import java.util.Map;

/** Records the break-glass token's use (auth.break_glass_used), as {@link BearerTokens} announces it. */
@ApplicationScoped
public class BreakGlassAudit {

    private final AuditLog audit;
    private final boolean enabled;

    BreakGlassAudit(AuditLog audit, BreakGlassConfig config) {
        this.audit = audit;
        this.enabled = config.audit();
    }

    void on(@ObservesAsync BreakGlassUsed used) {
        if (enabled) {
            record(used);
        }
    }

    /** Records one use; {@link #on} calls it for each announced use when recording is on. */
    public void record(BreakGlassUsed used) {
        Subject glass = Subject.breakGlass();
        audit.recordAlone(new Actor(Actor.Kind.BREAK_GLASS, null, glass.name(), glass.role().wireName(),
                used.address(), used.requestId()), AuditAction.AUTH_BREAK_GLASS_USED,
                new Target(Target.Type.TOKEN, Subject.BREAK_GLASS_NAME, List.of()), Outcome.SUCCESS,
                Map.of("noticeIntervalMinutes", BearerTokens.BREAK_GLASS_NOTICE_INTERVAL.toMinutes()));
    }
}
