package io.omnii.server.audit;

import io.omnii.server.common.Times;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * An audit entry's content as stored, every field of it but its own hash: what the hash covers. The writer builds
 * one to seal a new entry; the verifier builds one from each stored row and seals it again. {@code at} holds
 * microseconds (what timestamptz keeps) and {@code detail} is canonical JSON ({@link CanonicalJson}), so a row read
 * back hashes as it did when written.
 */
record ChainedEntry(long seq, Instant at, String actorKind, String actorId, String actorName, String actorRole,
        String address, String requestId, String action, String targetType, String targetId, List<String> targetTags,
        String outcome, String detail, String prevHash) {

    /** The previous hash of the first entry ever written. */
    static final String GENESIS = "0".repeat(64);
    // Names the encoding below, so a later change of it cannot be mistaken for this one.
    private static final byte[] VERSION = "omnii-audit-v1".getBytes(StandardCharsets.US_ASCII);

    /**
     * SHA-256 over an unambiguous encoding, in hex: each field in a fixed order, absent as {@code N}, text as
     * {@code S<byte length>:<UTF-8 bytes>}, the tags as {@code L<count>:} and then each tag. No field's content can
     * stand in for another's boundary.
     */
    String seal() {
        MessageDigest digest = sha256();
        digest.update(VERSION);
        text(digest, Long.toString(seq));
        text(digest, Long.toString(Times.micros(at)));
        text(digest, actorKind);
        text(digest, actorId);
        text(digest, actorName);
        text(digest, actorRole);
        text(digest, address);
        text(digest, requestId);
        text(digest, action);
        text(digest, targetType);
        text(digest, targetId);
        digest.update(("L" + targetTags.size() + ":").getBytes(StandardCharsets.US_ASCII));
        targetTags.forEach(tag -> text(digest, tag));
        text(digest, outcome);
        text(digest, detail);
        text(digest, prevHash);
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void text(MessageDigest digest, String value) {
        if (value == null) {
            digest.update((byte) 'N');
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update(("S" + bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        digest.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
