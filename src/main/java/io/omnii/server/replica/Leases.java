package io.omnii.server.replica;

import jakarta.inject.Singleton;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.UUID;

/**
 * Named leases in PostgreSQL, each held by one incarnation until it expires unless renewed: the leadership, and
 * whatever else one replica must do alone for a while (taking over a gone replica's MQTT session).
 */
@Singleton
public class Leases {

    // Taken when free or expired, renewed when ours; a row back means we hold it. Concurrent takers queue on the
    // row, and the second then sees the first's unexpired lease.
    private static final String TAKE_OR_RENEW = """
            INSERT INTO lease (name, holder, expires_at)
            VALUES (:name, :me, clock_timestamp() + :ttl * interval '1 millisecond')
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE lease.holder = excluded.holder OR lease.expires_at < clock_timestamp()
            RETURNING holder""";

    private final EntityManager em;
    private final UUID me;

    Leases(EntityManager em, Incarnation incarnation) {
        this.em = em;
        this.me = incarnation.id;
    }

    /** Takes the lease if free or expired, or renews it if ours, for {@code ttl}; whether this replica holds it. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean takeOrRenew(String name, Duration ttl) {
        return !em.createNativeQuery(TAKE_OR_RENEW).setParameter("name", name)
                .setParameter("me", me).setParameter("ttl", ttl.toMillis()).getResultList()
                .isEmpty();
    }

    /** Gives the lease up if ours, so the next taker need not wait for it to run out. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void release(String name) {
        em.createNativeQuery("DELETE FROM lease WHERE name = :name AND holder = :me").setParameter("name", name)
                .setParameter("me", me).executeUpdate();
    }
}
