package io.omnii.server.matter;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Set;

/**
 * A Matter onboarding payload, checked before anything is sent to the Matter Server: a QR code ({@code MT:} and
 * base-38) or an 11- or 21-digit manual pairing code with its Verhoeff check digit (Matter Core specification,
 * section 5.1). A code that fails here would only fail minutes later inside a commissioning attempt.
 *
 * @param value the code as the Matter Server should receive it: the QR text, or the manual code's digits only
 * @param discriminator 12 bits from a QR code; the 4-bit short discriminator from a manual code
 * @param vendorId present in QR codes and 21-digit manual codes
 * @param productId present in QR codes and 21-digit manual codes
 */
public record SetupCode(Kind kind, String value, long passcode, int discriminator, Integer vendorId, Integer productId) {

    public enum Kind {
        QR,
        MANUAL
    }

    private static final String QR_PREFIX = "MT:";
    private static final String BASE38 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.";
    private static final long MAX_PASSCODE = 99_999_998L;
    // The specification forbids trivially guessable passcodes.
    private static final Set<Long> INVALID_PASSCODES = Set.of(0L, 11111111L, 22222222L, 33333333L, 44444444L,
            55555555L, 66666666L, 77777777L, 88888888L, 99999999L, 12345678L, 87654321L);

    /** Checks a code; the exception's message says what is wrong, for a 400 answer. */
    public static SetupCode parse(String code) {
        if (code == null || code.isBlank()) {
            throw new IllegalArgumentException("the code is empty");
        }
        String trimmed = code.strip();
        return trimmed.regionMatches(true, 0, QR_PREFIX, 0, QR_PREFIX.length()) ? qr(trimmed) : manual(trimmed);
    }

    private static SetupCode manual(String code) {
        // Printed codes are grouped with spaces or dashes: 3497-011-2332.
        String digits = code.replaceAll("[\\s-]", "");
        if (!digits.matches("\\d{11}|\\d{21}")) {
            throw new IllegalArgumentException("a manual pairing code has 11 or 21 digits");
        }
        if (verhoeffCheckDigit(digits.substring(0, digits.length() - 1)) != digits.charAt(digits.length() - 1) - '0') {
            throw new IllegalArgumentException("the manual pairing code's check digit is wrong (a typo?)");
        }
        int first = digits.charAt(0) - '0';
        boolean vendorAndProduct = (first & 0b100) != 0;
        if (first > 7 || vendorAndProduct != (digits.length() == 21)) {
            throw new IllegalArgumentException("the manual pairing code's first digit does not match its length");
        }
        int chunk2 = Integer.parseInt(digits.substring(1, 6));
        int chunk3 = Integer.parseInt(digits.substring(6, 10));
        if (chunk2 > 0xFFFF || chunk3 > 0x1FFF) {
            throw new IllegalArgumentException("the manual pairing code is not a valid Matter code");
        }
        int shortDiscriminator = ((first & 0b11) << 2) | (chunk2 >> 14);
        long passcode = ((long) chunk3 << 14) | (chunk2 & 0x3FFF);
        checkPasscode(passcode);
        Integer vendor = vendorAndProduct ? Integer.parseInt(digits.substring(10, 15)) : null;
        Integer product = vendorAndProduct ? Integer.parseInt(digits.substring(15, 20)) : null;
        return new SetupCode(Kind.MANUAL, digits, passcode, shortDiscriminator, vendor, product);
    }

    private static SetupCode qr(String code) {
        String text = QR_PREFIX + code.substring(QR_PREFIX.length()).toUpperCase(Locale.ROOT);
        // Several devices may share one QR code, separated by '*'; each payload must be valid.
        String[] payloads = text.substring(QR_PREFIX.length()).split("\\*", -1);
        SetupCode first = null;
        for (String payload : payloads) {
            SetupCode parsed = qrPayload(text, payload);
            first = first == null ? parsed : first;
        }
        return first;
    }

    private static SetupCode qrPayload(String text, String payload) {
        byte[] bytes = base38Decode(payload);
        if (bytes.length < 11) {
            throw new IllegalArgumentException("the QR code is too short to be a Matter code");
        }
        // The first 88 bits, least significant first: version 3, vendor 16, product 16, flow 2, rendezvous 8,
        // discriminator 12, passcode 27, padding 4.
        BigInteger bits = BigInteger.ZERO;
        for (int i = 10; i >= 0; i--) {
            bits = bits.shiftLeft(8).or(BigInteger.valueOf(bytes[i] & 0xFF));
        }
        int version = field(bits, 0, 3);
        int vendor = field(bits, 3, 16);
        int product = field(bits, 19, 16);
        int flow = field(bits, 35, 2);
        int discriminator = field(bits, 45, 12);
        long passcode = field(bits, 57, 27);
        int padding = field(bits, 84, 4);
        if (version != 0 || flow == 3 || padding != 0) {
            throw new IllegalArgumentException("the QR code is not a valid Matter code");
        }
        checkPasscode(passcode);
        return new SetupCode(Kind.QR, text, passcode, discriminator, vendor, product);
    }

    private static int field(BigInteger bits, int offset, int length) {
        return bits.shiftRight(offset).and(BigInteger.ONE.shiftLeft(length).subtract(BigInteger.ONE)).intValue();
    }

    /** Checks a bare setup passcode (commissioning on the network takes one without a code around it). */
    public static void checkPasscode(long passcode) {
        if (passcode < 1 || passcode > MAX_PASSCODE || INVALID_PASSCODES.contains(passcode)) {
            throw new IllegalArgumentException("the code carries an invalid setup passcode");
        }
    }

    /** Base-38 as the Matter specification defines it: 5 characters for 3 bytes, 4 for 2, 2 for 1. */
    static byte[] base38Decode(String text) {
        int full = text.length() / 5;
        int rest = text.length() % 5;
        if (text.isEmpty() || rest == 1 || rest == 3) {
            throw new IllegalArgumentException("the QR code's text has an impossible length");
        }
        byte[] out = new byte[full * 3 + (rest == 4 ? 2 : rest == 2 ? 1 : 0)];
        int o = 0;
        for (int i = 0; i < text.length(); i += 5) {
            int chars = Math.min(5, text.length() - i);
            long value = 0;
            for (int j = chars - 1; j >= 0; j--) {
                int digit = BASE38.indexOf(text.charAt(i + j));
                if (digit < 0) {
                    throw new IllegalArgumentException("the QR code has a character outside Matter's base-38 alphabet");
                }
                value = value * 38 + digit;
            }
            int bytes = chars == 5 ? 3 : chars == 4 ? 2 : 1;
            if (value >= 1L << (8 * bytes)) {
                throw new IllegalArgumentException("the QR code's text does not decode");
            }
            for (int b = 0; b < bytes; b++) {
                out[o++] = (byte) (value >> (8 * b));
            }
        }
        return out;
    }

    private static final int[][] VERHOEFF_D = {
            { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 2, 3, 4, 0, 6, 7, 8, 9, 5 }, { 2, 3, 4, 0, 1, 7, 8, 9, 5, 6 },
            { 3, 4, 0, 1, 2, 8, 9, 5, 6, 7 }, { 4, 0, 1, 2, 3, 9, 5, 6, 7, 8 }, { 5, 9, 8, 7, 6, 0, 4, 3, 2, 1 },
            { 6, 5, 9, 8, 7, 1, 0, 4, 3, 2 }, { 7, 6, 5, 9, 8, 2, 1, 0, 4, 3 }, { 8, 7, 6, 5, 9, 3, 2, 1, 0, 4 },
            { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 } };
    private static final int[][] VERHOEFF_P = {
            { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 5, 7, 6, 2, 8, 3, 0, 9, 4 }, { 5, 8, 0, 3, 7, 9, 6, 1, 4, 2 },
            { 8, 9, 1, 6, 0, 4, 3, 5, 2, 7 }, { 9, 4, 5, 3, 1, 2, 6, 8, 7, 0 }, { 4, 2, 8, 6, 5, 7, 3, 9, 0, 1 },
            { 2, 7, 9, 3, 8, 0, 6, 4, 1, 5 }, { 7, 0, 4, 6, 9, 1, 3, 2, 5, 8 } };
    private static final int[] VERHOEFF_INV = { 0, 4, 3, 2, 1, 5, 6, 7, 8, 9 };

    static int verhoeffCheckDigit(String digits) {
        int c = 0;
        for (int i = 0; i < digits.length(); i++) {
            int digit = digits.charAt(digits.length() - 1 - i) - '0';
            c = VERHOEFF_D[c][VERHOEFF_P[(i + 1) % 8][digit]];
        }
        return VERHOEFF_INV[c];
    }
}
