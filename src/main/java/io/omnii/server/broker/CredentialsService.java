package io.omnii.server.broker;

import io.omnii.server.audit.Actor;
import io.omnii.server.audit.AuditAction;
import io.omnii.server.audit.AuditLog;
import io.omnii.server.audit.Outcome;
import io.omnii.server.audit.Target;
import io.omnii.server.auth.Scope;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Ids;
import io.omnii.server.fleet.Instance;
import io.omnii.server.fleet.InstanceDecommissioned;
import io.omnii.server.fleet.InstanceService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import java.util.Map;
import java.util.UUID;

/**
 * An instance's broker account over its life: a new password on request, the account deleted when the instance is
 * decommissioned. The broker depends on fleet (its API and its event), never fleet on the broker.
 */
@ApplicationScoped
public class CredentialsService {

    private final BrokerAccounts accounts;
    private final InstanceService instances;
    private final AuditLog audit;

    CredentialsService(BrokerAccounts accounts, InstanceService instances, AuditLog audit) {
        this.audit = audit;
        this.accounts = accounts;
        this.instances = instances;
    }

    /**
     * A new password for the account of the instance the path names, shown once. With provisioning off every
     * rotation is refused, whatever the path names.
     */
    @Transactional
    public BrokerAccounts.Credentials rotate(Scope scope, String pathId, Actor actor) {
        if (!accounts.enabled()) {
            throw new ApiException(409, "provisioning_off",
                    "The broker has no per-instance accounts (omnii.mqtt.provisioning.mode is none)");
        }
        UUID instanceId = Ids.pathId(pathId, "Instance");
        // The lock decommissioning takes: a rotation never recreates the account of an instance going away.
        Instance instance = instances.lock(scope, instanceId);
        if (instance.isDecommissioned()) {
            throw new ApiException(409, "instance_decommissioned", "A decommissioned instance has no broker account");
        }
        BrokerAccounts.Credentials rotated = accounts.rotate(instance.id, instance.mqttClientId);
        // Never the password: the entry says that it changed, not to what.
        audit.record(actor, AuditAction.INSTANCE_ROTATE_CREDENTIALS, Target.instance(instance.id, instance.tags),
                Outcome.SUCCESS, Map.of("mqttUsername", rotated.username()));
        return rotated;
    }

    /**
     * Synchronous, inside the decommissioning transaction: if the broker cannot delete the account, the exception
     * rolls the decommissioning back and answers the request (503 broker_provisioning_failed).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    void revoke(@Observes InstanceDecommissioned event) {
        accounts.revoke(event.instanceId(), event.mqttClientId());
    }
}
