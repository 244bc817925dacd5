package io.omnii.server.audit;

import io.omnii.server.common.StorableText;

/**
 * Text as an audit entry stores it. PostgreSQL keeps neither U+0000 nor an unpaired surrogate as sent, and a request
 * id or an address comes from the client; an entry whose stored text differed from the text hashed would fail
 * verification forever. So each such character becomes U+FFFD, and text is cut at {@link #MAX_LENGTH} characters,
 * before anything is hashed.
 */
final class AuditText {

    static final int MAX_LENGTH = 256;
    private static final char REPLACEMENT = '\uFFFD';

    private AuditText() {
    }

    static String storable(String text) {
        if (text == null) {
            return null;
        }
        if (text.length() <= MAX_LENGTH && !StorableText.hasNul(text) && !StorableText.hasUnpairedSurrogate(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LENGTH));
        for (int i = 0; i < text.length() && out.length() < MAX_LENGTH; i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (pair) {
                if (out.length() + 2 > MAX_LENGTH) {
                    break;
                }
                out.append(c).append(text.charAt(++i));
            } else {
                out.append(c == '\0' || Character.isSurrogate(c) ? REPLACEMENT : c);
            }
        }
        return out.toString();
    }
}
