package io.omnii.server.audit;

import com.fasterxml.jackson.databind.JsonNode;

/** What an audit.purge entry's detail says: the last seq it deleted, and the hash the chain continues from. */
record PurgeRecord(long throughSeq, String continuesFrom) {

    /** Null when the detail does not say both (an entry edited past the trigger): the walk then finds the break. */
    static PurgeRecord parse(String detail) {
        JsonNode tree = CanonicalJson.tree(detail);
        JsonNode through = tree.path(AuditRetention.THROUGH_SEQ);
        JsonNode from = tree.path(AuditRetention.CONTINUES_FROM);
        if (!through.canConvertToExactIntegral() || !through.canConvertToLong() || !from.isTextual()) {
            return null;
        }
        return new PurgeRecord(through.longValue(), from.textValue());
    }
}
