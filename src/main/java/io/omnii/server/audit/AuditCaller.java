package io.omnii.server.audit;

import java.util.Set;

/**
 * The caller of the current request as the audit log needs it. auth's {@code Caller} provides it: the features that
 * record entries, auth among them, depend on audit, so audit names what it needs here instead of depending on auth.
 */
public interface AuditCaller {

    /** Who is calling, as an entry's actor; an anonymous actor on a public endpoint. */
    Actor actor();

    /** The tags the caller is limited to; empty when it may see everything. Only for authenticated callers. */
    Set<String> scopeTags();
}
