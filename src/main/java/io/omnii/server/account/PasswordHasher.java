package io.omnii.server.account;

import io.omnii.server.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Passwords as Argon2id PHC strings ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}) with OWASP's parameters:
 * 19 MiB, 2 passes, 1 lane. Each hash holds 19 MiB for its duration, so at most
 * {@code omnii.accounts.hashing.max-concurrent} run at once; a request that waits longer than
 * {@code max-wait} for its turn answers 503 instead of queueing without bound.
 */
@ApplicationScoped
public class PasswordHasher {

    static final int MEMORY_KIB = 19_456;
    static final int ITERATIONS = 2;
    static final int PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    // What a stored or configured hash may ask for: more would let one hash hold the memory of many.
    private static final int MAX_MEMORY_KIB = 65_536;
    private static final int MAX_ITERATIONS = 10;
    private static final int MAX_PARALLELISM = 4;
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,2}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{11,64})\\$([A-Za-z0-9+/]{22,128})");
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

    /** A parsed PHC string. */
    record Phc(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {

        String text() {
            return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "$"
                    + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
        }
    }

    private final Semaphore permits;
    private final long maxWaitMillis;
    // Checked against when the username is unknown, so that an unknown user costs as much as a wrong password.
    private volatile Phc decoy;

    @Inject
    PasswordHasher(AccountsConfig config) {
        this(config.hashing().maxConcurrent(), config.hashing().maxWait());
    }

    /** A hasher outside the server (scripts/hash-password.sh). */
    public PasswordHasher(int maxConcurrent, Duration maxWait) {
        this.permits = new Semaphore(maxConcurrent, true);
        this.maxWaitMillis = maxWait.toMillis();
    }

    /** A new PHC string for {@code password}, with a fresh salt. */
    public String hash(String password) {
        byte[] salt = Secrets.randomBytes(SALT_BYTES);
        return new Phc(MEMORY_KIB, ITERATIONS, PARALLELISM, salt,
                argon2(password, MEMORY_KIB, ITERATIONS, PARALLELISM, salt, HASH_BYTES)).text();
    }

    /**
     * Whether {@code password} is the one {@code stored} was made from, compared in constant time. With no stored
     * hash (an unknown user) it still computes one, and answers false.
     */
    public boolean verify(String password, String stored) {
        Optional<Phc> phc = stored == null ? Optional.empty() : parse(stored);
        Phc against = phc.orElseGet(this::decoy);
        byte[] computed = argon2(password, against.memoryKib(), against.iterations(), against.parallelism(),
                against.salt(), against.hash().length);
        return phc.isPresent() && MessageDigest.isEqual(computed, against.hash());
    }

    /** A PHC string this hasher can check, within the bounds it allows; empty for anything else. */
    static Optional<Phc> parse(String text) {
        Matcher m = PHC.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        int memory = Integer.parseInt(m.group(1));
        int iterations = Integer.parseInt(m.group(2));
        int parallelism = Integer.parseInt(m.group(3));
        if (memory < 8 * parallelism || memory > MAX_MEMORY_KIB || iterations < 1 || iterations > MAX_ITERATIONS
                || parallelism < 1 || parallelism > MAX_PARALLELISM) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Phc(memory, iterations, parallelism, B64_DECODER.decode(m.group(4)),
                    B64_DECODER.decode(m.group(5))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Phc decoy() {
        Phc d = decoy;
        if (d == null) {
            d = parse(hash(Secrets.random(24))).orElseThrow();
            decoy = d;
        }
        return d;
    }

    private byte[] argon2(String password, int memoryKib, int iterations, int parallelism, byte[] salt, int length) {
        acquire();
        try {
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                    .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                    .withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(parallelism)
                    .withSalt(salt).build());
            byte[] out = new byte[length];
            generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
            return out;
        } finally {
            permits.release();
        }
    }

    private void acquire() {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(maxWaitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw ApiException.retryLater(503, "password_hashing_busy",
                    "Too many sign-ins at once; retry shortly", 1);
        }
    }
}
