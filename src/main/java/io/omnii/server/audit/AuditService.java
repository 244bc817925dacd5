package io.omnii.server.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.common.AnyTag;
import io.omnii.server.common.Page;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads the audit log for GET /audit. Writing is {@link AuditLog}'s alone. */
@ApplicationScoped
public class AuditService {

    private final AuditEntryRepository entries;
    private final ObjectMapper mapper;

    AuditService(AuditEntryRepository entries, ObjectMapper mapper) {
        this.entries = entries;
        this.mapper = mapper;
    }

    /**
     * A page of entries, newest first. With a non-empty {@code scope} only the entries whose target tags overlap
     * it, and those the {@code caller} made (when given), are seen: a reader limited to some instances sees what was
     * done to them and what they did themselves. A bulk command's entry, whose tags are those of every instance it
     * reached, shows only when they all lie within the scope, as GET /command-batches/{id} does: a bulk command that
     * also reached other customers' instances would otherwise tell their tags and count. Paged by number, or after a
     * cursor.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<AuditEntryView> list(AuditQuery query, Set<String> scope, Optional<Actor> caller,
            Optional<AuditCursor> after, Page.PageRequest request) {
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        query.actor().ifPresent(a -> where(where, params, "actorName = :actor", "actor", a));
        query.action().ifPresent(a -> where(where, params, "action = :action", "action", a.wire()));
        query.targetType().ifPresent(t -> where(where, params, "targetType = :targetType", "targetType", t.wire()));
        query.targetId().ifPresent(t -> where(where, params, "targetId = :targetId", "targetId", t));
        query.from().ifPresent(t -> where(where, params, "at >= :from", "from", t));
        query.to().ifPresent(t -> where(where, params, "at < :to", "to", t));
        if (!scope.isEmpty()) {
            List<String> tags = List.copyOf(scope);
            // Overlap first, containment as a filter on top: every branch of the OR with the caller's own entries then
            // has an index (the GIN tags index, audit_entry_actor_id), so PostgreSQL can answer it with a bitmap OR.
            String inScope = "(" + AnyTag.of("targetTags", tags, "scope", params) + " and (targetType <> :batchType or "
                    + allWithin("targetTags", tags) + "))";
            params.put("batchType", Target.Type.COMMAND_BATCH.wire());
            if (caller.isPresent()) {
                inScope = "(" + inScope + " or (actorKind = :callerKind and actorId = :callerId))";
                params.put("callerKind", caller.get().kind().wire());
                params.put("callerId", caller.get().id());
            }
            where.add(inScope);
        }
        long total = entries.count(where.isEmpty() ? "1 = 1" : String.join(" and ", where), params);

        int first = after.isPresent() ? 0 : request.page() * request.size();
        after.ifPresent(c -> where(where, params, "seq < :afterSeq", "afterSeq", c.seq()));
        String filter = where.isEmpty() ? "1 = 1" : String.join(" and ", where);
        List<AuditEntry> rows = entries.find(filter, Sort.descending("seq"), params)
                .range(first, first + request.size()).list();
        Integer page = after.isPresent() ? null : request.page();
        if (rows.size() <= request.size()) {
            return new Page<>(rows, page, request.size(), total, null).map(e -> AuditEntryView.of(e, mapper));
        }
        List<AuditEntry> items = rows.subList(0, request.size());
        String next = new AuditCursor(items.get(items.size() - 1).seq).encode();
        return new Page<>(items, page, request.size(), total, next).map(e -> AuditEntryView.of(e, mapper));
    }

    /**
     * "every tag of {@code path} is one of {@code tags}" ({@code path <@ tags}): what is left after removing each of
     * them is empty. Hibernate binds an array parameter as varchar[], which {@code text[] <@} refuses (see
     * {@link AnyTag}), so it is spelled with one single-tag parameter per tag, named as {@link AnyTag#of} names them.
     */
    private static String allWithin(String path, List<String> tags) {
        String rest = path;
        for (int i = 0; i < tags.size(); i++) {
            rest = "array_remove(" + rest + ", :scope" + i + ")";
        }
        return "coalesce(array_length(" + rest + "), 0) = 0";
    }

    private static void where(List<String> where, Map<String, Object> params, String clause, String name,
            Object value) {
        where.add(clause);
        params.put(name, value);
    }
}
