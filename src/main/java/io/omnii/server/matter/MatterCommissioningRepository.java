package io.omnii.server.matter;

import io.omnii.server.common.Times;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class MatterCommissioningRepository implements PanacheRepositoryBase<MatterCommissioning, UUID> {

    /**
     * Records a pending attempt unless another is pending; whether it was recorded. SQL of our own: the unique index
     * on the pending state decides, and its conflict is an answer here, not an error that spoils the transaction.
     */
    boolean insertPending(UUID id, UUID owner, String method, boolean networkOnly, Instant now) {
        return getEntityManager().createNativeQuery("""
                        INSERT INTO matter_commissioning (id, owner, method, network_only, state, created_at)
                        VALUES (:id, :owner, :method, :networkOnly, 'pending', :now) ON CONFLICT DO NOTHING""")
                .setParameter("id", id).setParameter("owner", owner).setParameter("method", method)
                .setParameter("networkOnly", networkOnly).setParameter("now", Times.utc(now))
                .executeUpdate() == 1;
    }

    /**
     * Fails the pending attempts whose owner is not live (its row in {@code replica} not renewed within the lease,
     * by PostgreSQL's clock), never ours; the ids it failed. Replicas checking at once fail each attempt once: the
     * second update finds the row no longer pending.
     */
    @SuppressWarnings("unchecked")
    List<UUID> failOrphaned(UUID me, String liveIncarnations, String error, Instant now) {
        return getEntityManager().createNativeQuery("""
                        UPDATE matter_commissioning SET state = 'failed', finished_at = :now, error_code = -1,
                               error = :error
                         WHERE state = 'pending' AND owner IS DISTINCT FROM :me
                           AND (owner IS NULL OR owner NOT IN (%s))
                        RETURNING id""".formatted(liveIncarnations), UUID.class)
                .setParameter("me", me).setParameter("error", error)
                .setParameter("now", Times.utc(now)).getResultList();
    }
}
