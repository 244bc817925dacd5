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
    private final SecretKeySpec key;

    CodeHasher(EnrollmentConfig enrollment, AdminConfig admin) {
        byte[] keyBytes = enrollment.codeHashKey()
                .map(k -> k.getBytes(StandardCharsets.UTF_8))
                .orElseGet(() -> hmac(new SecretKeySpec(admin.token().orElse("").getBytes(StandardCharsets.UTF_8), HMAC),
                        "omnii enrollment code key"));
        this.key = new SecretKeySpec(keyBytes, HMAC);
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
