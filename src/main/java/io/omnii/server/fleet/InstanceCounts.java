package io.omnii.server.fleet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How many instances are in each state (table instance_count, V6), kept exact by {@link InstanceWriter} in the same
 * transaction as every change of state. Listings read their total here: counting the table costs a scan of every row.
 */
@ApplicationScoped
public class InstanceCounts {

    /** The row counting instances offline and never heard from (V14), which the states' rows count too. */
    public static final String NEVER_SEEN = "never_seen";

    private final EntityManager em;

    InstanceCounts(EntityManager em) {
        this.em = em;
    }

    /** Instances in this state; without one, all but the decommissioned. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public long count(Optional<InstanceStatus> status) {
        Object n = status.isPresent()
                ? em.createNativeQuery("SELECT n FROM instance_count WHERE status = :status")
                        .setParameter("status", status.get().wire()).getSingleResult()
                : em.createNativeQuery("SELECT sum(n) FROM instance_count WHERE status IN ('online', 'offline', 'error')")
                        .getSingleResult();
        return ((Number) n).longValue();
    }

    /** How many offline instances were never heard from. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public long neverSeen() {
        return ((Number) em.createNativeQuery("SELECT n FROM instance_count WHERE status = :status")
                .setParameter("status", NEVER_SEEN).getSingleResult()).longValue();
    }

    /** Every state's count. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Map<InstanceStatus, Long> byState() {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("SELECT status, n FROM instance_count", Tuple.class).getResultList();
        Map<InstanceStatus, Long> byState = new EnumMap<>(InstanceStatus.class);
        for (Tuple row : rows) {
            InstanceStatus.fromWire(row.get("status", String.class))
                    .ifPresent(s -> byState.put(s, row.get("n", Number.class).longValue()));
        }
        return byState;
    }
}
