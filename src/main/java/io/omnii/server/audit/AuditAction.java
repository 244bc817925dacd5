package io.omnii.server.audit;

import com.fasterxml.jackson.annotation.JsonValue;
import io.omnii.server.common.WireEnum;
import java.util.Optional;

/** Every kind of audited action, by its wire name ({@code feature.verb}); the one list every feature records from. */
public enum AuditAction implements WireEnum {
    AUTH_SIGN_IN("auth.sign_in"),
    AUTH_SIGN_IN_FAILED("auth.sign_in_failed"),
    AUTH_SIGN_OUT("auth.sign_out"),
    AUTH_BREAK_GLASS_USED("auth.break_glass_used"),
    USER_CREATE("user.create"),
    USER_UPDATE("user.update"),
    USER_RESET_PASSWORD("user.reset_password"),
    TOKEN_CREATE("token.create"),
    TOKEN_REVOKE("token.revoke"),
    ENROLLMENT_CODE_CREATE("enrollment_code.create"),
    ENROLLMENT_CODE_REVOKE("enrollment_code.revoke"),
    INSTANCE_ENROLL("instance.enroll"),
    INSTANCE_UPDATE("instance.update"),
    INSTANCE_DECOMMISSION("instance.decommission"),
    INSTANCE_ROTATE_CREDENTIALS("instance.rotate_credentials"),
    COMMAND_SEND("command.send"),
    COMMAND_BULK_SEND("command.bulk_send"),
    MATTER_COMMISSION("matter.commission"),
    MATTER_NODE_REMOVE("matter.node_remove"),
    MATTER_NODE_INTERVIEW("matter.node_interview"),
    MATTER_NODE_PING("matter.node_ping"),
    MATTER_NODE_OPEN_WINDOW("matter.node_open_window"),
    MATTER_NODE_COMMAND("matter.node_command"),
    MATTER_ATTRIBUTE_WRITE("matter.attribute_write"),
    MATTER_CREDENTIALS_WIFI("matter.credentials_wifi"),
    MATTER_CREDENTIALS_THREAD("matter.credentials_thread"),
    AUDIT_PURGE("audit.purge");

    private final String wire;

    AuditAction(String wire) {
        this.wire = wire;
    }

    @Override
    @JsonValue
    public String wire() {
        return wire;
    }

    public static Optional<AuditAction> fromWire(String value) {
        return WireEnum.fromWire(AuditAction.class, value);
    }
}
