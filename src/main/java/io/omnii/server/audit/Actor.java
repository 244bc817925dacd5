package io.omnii.server.audit;

import io.omnii.server.common.WireEnum;
import java.util.Optional;
import java.util.UUID;

/**
 * Who did an audited action, as the entry records it: what kind of caller, its id and name (a user's id and
 * username, a token's id and name, an enrollment code's id, never the code), the role it acted with, the client
 * address and the request id. Text is made storable as it is given (see {@link AuditText}), so the entry hashed is
 * the entry stored.
 */
public record Actor(Kind kind, String id, String name, String role, String address, String requestId) {

    /** The server's own name as an actor, for scheduled work. */
    public static final String SERVER = "omnii-server";

    public enum Kind implements WireEnum {
        /** A signed-in person. */
        USER,
        /** A personal API token. */
        TOKEN,
        /** {@code omnii.admin.token}, the break-glass bearer token. */
        BREAK_GLASS,
        /** An add-on enrolling with a code; the id is the code's id. */
        ENROLLMENT,
        /** The server itself (retention, sweeps). */
        SYSTEM,
        /** A caller nobody knows. */
        ANONYMOUS;

        public static Optional<Kind> fromWire(String value) {
            return WireEnum.fromWire(Kind.class, value);
        }
    }

    public Actor {
        if (kind == null) {
            throw new IllegalArgumentException("an actor has a kind");
        }
        id = AuditText.storable(id);
        name = AuditText.storable(name);
        role = AuditText.storable(role);
        address = AuditText.storable(address);
        requestId = AuditText.storable(requestId);
    }

    public static Actor system() {
        return new Actor(Kind.SYSTEM, null, SERVER, null, null, null);
    }

    /** An add-on enrolling with the code of this id, from this address. */
    public static Actor enrollment(UUID codeId, String address, String requestId) {
        return new Actor(Kind.ENROLLMENT, codeId.toString(), null, null, address, requestId);
    }

    public static Actor anonymous(String address, String requestId) {
        return new Actor(Kind.ANONYMOUS, null, null, null, address, requestId);
    }
}
