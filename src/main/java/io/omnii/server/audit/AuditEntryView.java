package io.omnii.server.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.common.Times;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An audit entry as GET /audit shows it. {@code at} is epoch milliseconds, like every time in the API. Kinds,
 * actions and outcomes are the stored text: see {@link AuditEntry}.
 */
public record AuditEntryView(long seq, long at, ActorView actor, String action, TargetView target, String outcome,
        Map<String, Object> detail, String prevHash, String hash) {

    public record ActorView(String kind, @Schema(nullable = true) String id, @Schema(nullable = true) String name,
            @Schema(nullable = true) String role, @Schema(nullable = true) String address,
            @Schema(nullable = true) String requestId) {
    }

    public record TargetView(String type, @Schema(nullable = true) String id, List<String> tags) {
    }

    @SuppressWarnings("unchecked")
    static AuditEntryView of(AuditEntry e, ObjectMapper mapper) {
        return new AuditEntryView(e.seq, Times.millis(e.at),
                new ActorView(e.actorKind, e.actorId, e.actorName, e.actorRole, e.address, e.requestId), e.action,
                new TargetView(e.targetType, e.targetId, List.copyOf(e.targetTags)), e.outcome,
                mapper.convertValue(CanonicalJson.tree(e.detail), Map.class), e.prevHash, e.hash);
    }
}
