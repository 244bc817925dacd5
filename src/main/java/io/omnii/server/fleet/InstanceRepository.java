package io.omnii.server.fleet;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
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
}
