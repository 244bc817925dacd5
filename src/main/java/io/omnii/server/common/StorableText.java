package io.omnii.server.common;

/**
 * What PostgreSQL's text and jsonb cannot hold as sent, for the checks at every door (HTTP bodies and parameters,
 * MQTT payloads): U+0000, which both refuse, and an unpaired surrogate, which is not Unicode and would be stored as
 * "?".
 */
public final class StorableText {

    private StorableText() {
    }

    public static boolean hasNul(String text) {
        return text != null && text.indexOf('\0') >= 0;
    }

    public static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
