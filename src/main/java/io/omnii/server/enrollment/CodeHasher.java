package io.omnii.server.enrollment;

import io.omnii.server.auth.AdminConfig;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed hash of an enrollment code. A plain hash of a 6-digit code is reversed by trying all 10^6 values, so a
 * copy of the database alone must not reveal live codes: the key lives in configuration, not in the database.
 */
@Singleton
public class CodeHasher {

    private static final String HMAC = "HmacSHA256";
    /** Bytes of the key's fingerprint kept beside each code: enough to tell keys apart, far too few to find one. */
    private static final int KEY_ID_BYTES = 8;
    private final SecretKeySpec key;
    private final String keyId;

    CodeHasher(EnrollmentConfig enrollment, AdminConfig admin) {
        byte[] keyBytes = enrollment.codeHashKey()
                .map(k -> k.getBytes(StandardCharsets.UTF_8))
                .orElseGet(() -> hmac(new SecretKeySpec(admin.token().orElse("").getBytes(StandardCharsets.UTF_8), HMAC),
                        "omnii enrollment code key"));
        this.key = new SecretKeySpec(keyBytes, HMAC);
        this.keyId = HexFormat.of().formatHex(hmac(key, "omnii-code-key-id"), 0, KEY_ID_BYTES);
    }

    /**
     * A fingerprint of the key, stored with each code: a code whose fingerprint differs was hashed under another
     * key (an earlier admin token) and can never match again.
     */
    public String keyId() {
        return keyId;
    }

    public String hash(String code) {
        return HexFormat.of().formatHex(hmac(key, code));
    }

    private static byte[] hmac(SecretKeySpec key, String value) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
