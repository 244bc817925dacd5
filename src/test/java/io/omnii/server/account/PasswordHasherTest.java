package io.omnii.server.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnii.server.common.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    @Test
    void aHashIsAnArgon2idPhcStringWithOwaspParametersThatVerifiesOnlyItsPassword() {
        PasswordHasher hasher = hasher(1, Duration.ofSeconds(5));
        String hash = hasher.hash("correct horse battery staple");
        assertThat(hash).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(hasher.hash("correct horse battery staple")).as("salted").isNotEqualTo(hash);
        assertThat(hasher.verify("correct horse battery staple", hash)).isTrue();
        assertThat(hasher.verify("correct horse battery stapler", hash)).isFalse();
        assertThat(hasher.verify("anything", null)).isFalse();
        assertThat(hasher.verify("anything", "not a hash")).isFalse();
    }

    /** RFC 9106's Argon2id test vector would need secret and associated data; this one is from the reference CLI. */
    @Test
    void aHashFromTheReferenceImplementationVerifies() {
        // echo -n password | argon2 somesalt -id -t 2 -m 16 -p 1 -l 32 -e  (m in KiB: 2^16 = 65536)
        String reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        PasswordHasher hasher = hasher(1, Duration.ofSeconds(5));
        assertThat(hasher.verify("password", reference)).isTrue();
        assertThat(hasher.verify("passwore", reference)).isFalse();
    }

    @Test
    void storedHashesAskingForTooMuchAreNotAccepted() {
        assertThat(PasswordHasher.parse("$argon2id$v=19$m=1048576,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"))
                .isEmpty();
        assertThat(PasswordHasher.parse("$argon2id$v=19$m=19456,t=99,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"))
                .isEmpty();
        assertThat(PasswordHasher.parse("$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"))
                .isEmpty();
    }

    @Test
    void hashesBeyondTheLimitWaitThenAnswer503() throws Exception {
        PasswordHasher hasher = hasher(1, Duration.ofMillis(1));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<ApiException>>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> {
                    start.await();
                    try {
                        hasher.hash("correct horse battery staple");
                        return Optional.empty();
                    } catch (ApiException e) {
                        return Optional.of(e);
                    }
                }));
            }
            start.countDown();
            int busy = 0;
            for (Future<Optional<ApiException>> run : runs) {
                Optional<ApiException> refused = run.get();
                if (refused.isPresent()) {
                    busy++;
                    assertThat(refused.get().status()).isEqualTo(503);
                    assertThat(refused.get().toError().error()).isEqualTo("password_hashing_busy");
                }
            }
            assertThat(busy).as("hashes refused while one held the only permit").isPositive();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Prints the median time of one hash with the production parameters (docs/security.md quotes it). */
    @Test
    void oneHashTakesTensOfMilliseconds() {
        PasswordHasher hasher = hasher(1, Duration.ofSeconds(5));
        hasher.hash("warm up the JIT");
        long[] nanos = new long[9];
        for (int i = 0; i < nanos.length; i++) {
            long t = System.nanoTime();
            hasher.hash("correct horse battery staple");
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        System.out.printf("Argon2id m=19456 t=2 p=1: median %.1f ms of %d%n", nanos[nanos.length / 2] / 1e6, nanos.length);
        assertThat(nanos[nanos.length / 2]).isLessThan(Duration.ofSeconds(2).toNanos());
    }

    static PasswordHasher hasher(int concurrent, Duration wait) {
        return new PasswordHasher(new AccountsConfig() {
            @Override
            public Bootstrap bootstrap() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Session session() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Hashing hashing() {
                return new Hashing() {
                    @Override
                    public int maxConcurrent() {
                        return concurrent;
                    }

                    @Override
                    public Duration maxWait() {
                        return wait;
                    }
                };
            }

            @Override
            public Throttle throttle() {
                throw new UnsupportedOperationException();
            }
        });
    }
}
