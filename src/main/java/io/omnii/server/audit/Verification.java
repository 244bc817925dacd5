package io.omnii.server.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.omnii.server.common.WireEnum;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What {@code GET /audit/verify} found: whether the chain holds, how many entries it walked, their first and last
 * seq, the newest entry's hash (keep it elsewhere: only that shows a chain rewritten from some entry to its end),
 * and the first broken link (absent while the chain holds).
 */
public record Verification(boolean ok, long entries, @Schema(nullable = true) Long firstSeq,
        @Schema(nullable = true) Long lastSeq, @Schema(nullable = true) String headHash,
        @JsonInclude(JsonInclude.Include.NON_NULL) BrokenLink brokenAt) {

    /** Where the chain first breaks: the seq of the entry changed, or of the first entry missing. */
    public record BrokenLink(long seq, Reason reason) {
    }

    public enum Reason implements WireEnum {
        /** The entry's content no longer matches its hash. */
        CONTENT_CHANGED,
        /** The entry's previous hash is not the hash of the entry before it. */
        LINK_BROKEN,
        /** Entries are missing from here on: deleted, and no purge recorded it. */
        GAP
    }
}
