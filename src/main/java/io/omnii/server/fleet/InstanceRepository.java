package io.omnii.server.fleet;

import io.omnii.server.auth.Scope;
import io.omnii.server.common.AnyTag;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The instance table for ordinary reads and writes. */
@ApplicationScoped
public class InstanceRepository implements PanacheRepositoryBase<Instance, UUID> {

    /** An instance that is not decommissioned, and the MQTT client id its broker account carries. */
    public record ActiveClient(UUID id, String mqttClientId) {
    }

    /** Every instance that is not decommissioned, with its client id only (no entity loaded). */
    public List<ActiveClient> activeClients() {
        return getEntityManager().createQuery("SELECT new " + ActiveClient.class.getName()
                        + "(i.id, i.mqttClientId) FROM Instance i WHERE i.status <> :decommissioned", ActiveClient.class)
                .setParameter("decommissioned", InstanceStatus.DECOMMISSIONED)
                .getResultList();
    }

    /**
     * Narrows a query on instances (conditions joined by {@code and}, named parameters) to those the scope admits;
     * an unrestricted scope adds nothing.
     */
    public static void restrict(Scope scope, List<String> where, Map<String, Object> params) {
        if (!scope.unrestricted()) {
            where.add(AnyTag.of("tags", List.of(scope.tagArray()), "scope", params));
        }
    }

    /** The instance if it exists and the scope admits it: out of scope is the same as missing. */
    public Optional<Instance> findInScope(UUID id, Scope scope, LockModeType lock) {
        if (scope.unrestricted()) {
            return findByIdOptional(id, lock);
        }
        List<String> where = new ArrayList<>(List.of("id = :id"));
        Map<String, Object> params = new HashMap<>(Map.of("id", id));
        restrict(scope, where, params);
        return find(String.join(" and ", where), params).withLock(lock).firstResultOptional();
    }
}
