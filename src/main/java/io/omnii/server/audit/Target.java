package io.omnii.server.audit;

import io.omnii.server.common.WireEnum;
import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/**
 * What an audited action was done to. {@code tags} are the target instance's tags at the time (empty for targets
 * that belong to no instance): a reader limited to some tags sees the entries whose tags overlap them, without the
 * audit log reading other features' tables. Kept sorted and distinct, so equal sets hash alike.
 */
public record Target(Type type, String id, List<String> tags) {

    public enum Type implements WireEnum {
        INSTANCE,
        ENROLLMENT_CODE,
        COMMAND,
        COMMAND_BATCH,
        USER,
        TOKEN,
        MATTER_NODE,
        MATTER_COMMISSIONING,
        MATTER_CREDENTIALS,
        AUDIT;

        public static Optional<Type> fromWire(String value) {
            return WireEnum.fromWire(Type.class, value);
        }
    }

    public Target {
        if (type == null) {
            throw new IllegalArgumentException("a target has a type");
        }
        id = AuditText.storable(id);
        tags = tags == null ? List.of()
                : List.copyOf(new TreeSet<>(tags.stream().map(AuditText::storable).toList()));
    }

    public static Target instance(UUID id, Collection<String> tags) {
        return new Target(Type.INSTANCE, id.toString(), List.copyOf(tags));
    }

    /** An enrollment code, with the tags the instance it enrolls will carry. */
    public static Target enrollmentCode(UUID id, Collection<String> codeTags) {
        return new Target(Type.ENROLLMENT_CODE, id.toString(), List.copyOf(codeTags));
    }

    /** A command to one instance, with that instance's tags. */
    public static Target command(UUID id, Collection<String> instanceTags) {
        return new Target(Type.COMMAND, id.toString(), List.copyOf(instanceTags));
    }

    /** A bulk command, with the tags of the instances it reached. */
    public static Target commandBatch(UUID id, Collection<String> instanceTags) {
        return new Target(Type.COMMAND_BATCH, id.toString(), List.copyOf(instanceTags));
    }

    public static Target user(String id) {
        return new Target(Type.USER, id, List.of());
    }

    public static Target token(String id) {
        return new Target(Type.TOKEN, id, List.of());
    }

    /** A Matter node, by its unsigned 64-bit id. */
    public static Target matterNode(BigInteger nodeId) {
        return new Target(Type.MATTER_NODE, nodeId.toString(), List.of());
    }

    public static Target matterCommissioning(UUID id) {
        return new Target(Type.MATTER_COMMISSIONING, id.toString(), List.of());
    }

    /** The Matter Server's Wi-Fi or Thread credentials: {@code kind} is "wifi" or "thread". */
    public static Target matterCredentials(String kind) {
        return new Target(Type.MATTER_CREDENTIALS, kind, List.of());
    }

    /** The audit log itself (its retention purge). */
    public static Target audit() {
        return new Target(Type.AUDIT, null, List.of());
    }
}
