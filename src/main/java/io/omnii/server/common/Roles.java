package io.omnii.server.common;

/**
 * The role names endpoints declare in {@code @RolesAllowed}. Roles are cumulative: an identity with {@link #ADMIN}
 * also carries {@link #OPERATOR} and {@link #VIEWER}, so each endpoint names only the least role that may call it.
 */
public final class Roles {

    /** Reads everything but secrets. */
    public static final String VIEWER = "viewer";
    /** Commands, bulk commands, Matter operations and commissioning, enrollment codes. */
    public static final String OPERATOR = "operator";
    /** Everything: users, tokens, decommissioning, credential rotation, Matter credentials, the audit chain. */
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
