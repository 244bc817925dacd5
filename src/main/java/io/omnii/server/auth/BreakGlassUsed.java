package io.omnii.server.auth;

import java.time.Instant;

/**
 * The break-glass token was used (fired asynchronously, at most once per client address every
 * {@link BearerTokens#BREAK_GLASS_NOTICE_INTERVAL} on each replica), for the audit log to record.
 *
 * @param address the client's address
 * @param requestId the request that used it (the first of its interval)
 */
public record BreakGlassUsed(String address, String requestId, Instant at) {
}
