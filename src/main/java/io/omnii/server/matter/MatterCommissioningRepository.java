package io.omnii.server.matter;

import io.omnii.server.common.Times;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

@ApplicationScoped
public class MatterCommissioningRepository implements PanacheRepositoryBase<MatterCommissioning, UUID> {

    /**
     * Records a pending attempt unless another is pending; whether it was recorded. SQL of our own: the unique index
     * on the pending state decides, and its conflict is an answer here, not an error that spoils the transaction.
     */
    boolean insertPending(UUID id, String method, boolean networkOnly, Instant now) {
        return getEntityManager().createNativeQuery("""
                        INSERT INTO matter_commissioning (id, method, network_only, state, created_at)
                        VALUES (:id, :method, :networkOnly, 'pending', :now) ON CONFLICT DO NOTHING""")
                .setParameter("id", id).setParameter("method", method).setParameter("networkOnly", networkOnly)
                .setParameter("now", Times.utc(now))
                .executeUpdate() == 1;
    }
}
