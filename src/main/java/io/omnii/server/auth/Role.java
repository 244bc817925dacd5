package io.omnii.server.auth;

import io.omnii.server.common.Roles;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The three roles in increasing power; {@link Roles} holds their names for annotations. */
public enum Role {
    VIEWER(Roles.VIEWER),
    OPERATOR(Roles.OPERATOR),
    ADMIN(Roles.ADMIN);

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The role names an identity with this role carries: its own and every lesser one. */
    public Set<String> granted() {
        return Arrays.stream(values()).filter(r -> r.ordinal() <= ordinal()).map(Role::wireName)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Whether this role may do everything {@code other} may. */
    public boolean covers(Role other) {
        return ordinal() >= other.ordinal();
    }

    public static Optional<Role> fromWire(String name) {
        return Arrays.stream(values()).filter(r -> r.wireName.equals(name)).findFirst();
    }
}
