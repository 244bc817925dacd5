package io.omnii.server.telemetry;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Random metrics payloads for the property tests: good ones, with what PostgreSQL's jsonb does take (escapes,
 * characters beyond the BMP raw and as surrogate pairs, control characters other than U+0000, numbers near a
 * double's limits, long integers, deep nesting), and hostile ones: the same with one {@link Poison} put in a random
 * key or value, at a random depth.
 */
final class HostilePayloads {

    private static final RejectReason INVALID = RejectReason.INVALID_PAYLOAD;
    private static final RejectReason MALFORMED = RejectReason.MALFORMED_JSON;

    /** One thing PostgreSQL refuses (or the server cannot hold as sent), as it sits in the payload's bytes. */
    enum Poison {
        NUL_ESCAPED("\\u0000", true, INVALID, INVALID),
        // Jackson decodes these overlong UTF-8 forms to U+0000 instead of refusing them.
        NUL_OVERLONG_TWO_BYTES("c080", true, MALFORMED, MALFORMED),
        NUL_OVERLONG_THREE_BYTES("e08080", true, MALFORMED, MALFORMED),
        // Jackson refuses an escaped lone surrogate in a key, and passes it in a value.
        HIGH_SURROGATE_ALONE("\\uD83D", true, INVALID, MALFORMED),
        LOW_SURROGATE_ALONE("\\uDE00", true, INVALID, MALFORMED),
        SURROGATES_REVERSED("\\uDE00\\uD83D", true, INVALID, MALFORMED),
        // Beyond U+10FFFF: Jackson decodes it to two low surrogates.
        BEYOND_UNICODE("f4908080", true, MALFORMED, MALFORMED),
        SURROGATE_ENCODED_IN_UTF8("eda080", true, MALFORMED, MALFORMED),
        // Jackson drops it from a field name it has seen without it (its table of names pads with 0xFF).
        INVALID_UTF8_BYTE("ff", true, MALFORMED, MALFORMED),
        RAW_NUL_BYTE("00", true, MALFORMED, MALFORMED),
        NUMBER_BEYOND_DOUBLE("1e400", false, INVALID, null),
        NEGATIVE_NUMBER_BEYOND_DOUBLE("-1.5E+999", false, INVALID, null);

        final byte[] bytes;
        final boolean inString;
        final RejectReason inValue;
        final RejectReason inKey;

        Poison(String text, boolean inString, RejectReason inValue, RejectReason inKey) {
            this.bytes = inString && text.matches("[0-9a-f]+") ? HexFormat.of().parseHex(text)
                    : text.getBytes(StandardCharsets.US_ASCII);
            this.inString = inString;
            this.inValue = inValue;
            this.inKey = inKey;
        }
    }

    /** A payload and, if hostile, its poison and the reason the server must give. */
    record Payload(byte[] bytes, Poison poison, RejectReason reason) {
        @Override
        public String toString() {
            String text = new String(bytes, StandardCharsets.ISO_8859_1).replaceAll("(\\[{2})\\[{10,}", "$1...")
                    .replaceAll("]{10,}", "...]");
            return (poison == null ? "good" : poison.name()) + ": " + text;
        }
    }

    // Good string pieces: JSON text as it is sent, escapes included.
    private static final String[] PIECES = {"a", "Küche", "日本", "\\n", "\\\"", "\\\\", "\\t", "\\u00e9", "\\u20ac",
            "\\u0001", "\\u001f", "😀", "\\uD83D\\uDE00", "\uD834\uDD1E", "\\uDBFF\\uDFFF", " ", "/", "\\/", "x"};
    private static final String[] NUMBERS = {"0", "-1", "42", "3.25", "-0.0", "1e308", "-1.7976931348623157E308",
            "4.9e-324", "1e-400", "123456789012345678901234567890123456789012345678901234567890", "2.5E-300"};

    /**
     * A leaf of the tree: a string's content (between its quotes) as pieces, or a scalar. A poisoned string gets the
     * poison between two pieces (so it never cuts an escape in two); a poisoned scalar becomes the poison.
     */
    private static final class Leaf {
        final List<String> pieces;
        final boolean string;
        boolean key;
        byte[] poison;
        int poisonAt;

        Leaf(List<String> pieces, boolean string) {
            this.pieces = pieces;
            this.string = string;
        }

        byte[] bytes() {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int i = 0; i <= pieces.size(); i++) {
                if (poison != null && i == poisonAt) {
                    b.writeBytes(poison);
                }
                if (i < pieces.size() && (string || poison == null)) {
                    b.writeBytes(pieces.get(i).getBytes(StandardCharsets.UTF_8));
                }
            }
            return b.toByteArray();
        }
    }

    private final Random random;
    private final List<Leaf> leaves = new ArrayList<>();
    private ByteArrayOutputStream out;

    HostilePayloads(long seed) {
        this.random = new Random(seed);
    }

    Payload good(long timestamp) {
        return metrics(timestamp, null);
    }

    Payload hostile(long timestamp) {
        Poison[] all = Poison.values();
        return metrics(timestamp, all[random.nextInt(all.length)]);
    }

    private Payload metrics(long timestamp, Poison poison) {
        leaves.clear();
        List<Object> parts = new ArrayList<>();
        parts.add("{\"uptimeSeconds\": 1, \"version\": \"");
        parts.add(string(3));
        parts.add("\", \"metadata\": {\"coreVersion\": \"2024.1.0\", \"totalDevices\": 3, \"lastUpdate\": ");
        parts.add(tree(random.nextInt(4)));
        parts.add(", \"n\": "); // a number at least, for the number poisons
        parts.add(scalar(NUMBERS[random.nextInt(NUMBERS.length)]));
        for (int i = 0, n = random.nextInt(4); i < n; i++) {
            parts.add(", \"k" + i + "\": ");
            parts.add(random.nextInt(8) == 0 ? deep(900) : tree(random.nextInt(5)));
        }
        parts.add("}, \"extra\": ");
        parts.add(tree(random.nextInt(3)));
        parts.add(", \"timestamp\": " + timestamp + "}");
        RejectReason reason = null;
        if (poison != null) {
            List<Leaf> fit = leaves.stream().filter(l -> l.string == poison.inString).toList();
            Leaf leaf = fit.get(random.nextInt(fit.size()));
            leaf.poison = poison.bytes;
            leaf.poisonAt = random.nextInt(leaf.pieces.size() + 1);
            reason = leaf.key ? poison.inKey : poison.inValue;
        }
        out = new ByteArrayOutputStream();
        parts.forEach(this::write);
        return new Payload(out.toByteArray(), poison, reason);
    }

    /** A random JSON value, as a list of text and leaves; keys are leaves too. */
    private Object tree(int depth) {
        int pick = depth == 0 ? random.nextInt(3) : random.nextInt(5);
        List<Object> parts = new ArrayList<>();
        switch (pick) {
            case 0 -> {
                parts.add("\"");
                parts.add(string(1 + random.nextInt(6)));
                parts.add("\"");
            }
            case 1 -> parts.add(scalar(NUMBERS[random.nextInt(NUMBERS.length)]));
            case 2 -> parts.add(scalar(random.nextBoolean() ? "true" : "null"));
            case 3 -> {
                parts.add("[");
                for (int i = 0, n = random.nextInt(4); i < n; i++) {
                    parts.add(i == 0 ? "" : ", ");
                    parts.add(tree(depth - 1));
                }
                parts.add("]");
            }
            default -> {
                parts.add("{");
                for (int i = 0, n = random.nextInt(4); i < n; i++) {
                    parts.add(i == 0 ? "\"" : ", \"");
                    Leaf key = string(1 + random.nextInt(3));
                    key.pieces.add("#" + i); // keys stay distinct
                    key.key = true;
                    parts.add(key);
                    parts.add("\": ");
                    parts.add(tree(depth - 1));
                }
                parts.add("}");
            }
        }
        return parts;
    }

    /** Arrays nested {@code levels} deep around one string: PostgreSQL takes what Jackson's limit of 1,000 lets by. */
    private Object deep(int levels) {
        return List.of("[".repeat(levels) + "\"", string(2), "\"" + "]".repeat(levels));
    }

    private Leaf scalar(String text) {
        Leaf leaf = new Leaf(List.of(text), false);
        leaves.add(leaf);
        return leaf;
    }

    private Leaf string(int n) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pieces.add(PIECES[random.nextInt(PIECES.length)]);
        }
        Leaf leaf = new Leaf(pieces, true);
        leaves.add(leaf);
        return leaf;
    }

    private void write(Object part) {
        if (part instanceof String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        } else if (part instanceof Leaf leaf) {
            out.writeBytes(leaf.bytes());
        } else {
            ((List<?>) part).forEach(this::write);
        }
    }
}
