package io.omnii.server.audit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** Where a page of GET /audit resumes: just before this seq (newest first). Opaque on the wire: base64url of it. */
record AuditCursor(long seq) {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    String encode() {
        return ENCODER.encodeToString(Long.toString(seq).getBytes(StandardCharsets.US_ASCII));
    }

    /** Only what {@link #encode()} writes. */
    static Optional<AuditCursor> decode(String text) {
        try {
            long seq = Long.parseLong(new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII));
            return Optional.of(new AuditCursor(seq)).filter(c -> seq > 0 && c.encode().equals(text));
        } catch (IllegalArgumentException e) { // not base64url, or not a number
            return Optional.empty();
        }
    }
}
