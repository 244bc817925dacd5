package io.omnii.server.account;

import io.omnii.server.common.ApiException;
import io.omnii.server.common.Times;
import io.omnii.server.common.TokenBuckets;
import io.omnii.server.common.TokenBuckets.Limit;
import io.omnii.server.replica.PeriodicJobs;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Locale;

/**
 * Token buckets that limit password attempts per username and per client address, shared by every replica. An
 * attempt takes a token from both before the password is looked at; a correct password gives them back, so only
 * failures count, and while a bucket is empty even the right password is refused: the lock is no oracle.
 */
@ApplicationScoped
public class SignInThrottle {

    static final String LOCKED = "sign_in_locked";
    private static final TokenBuckets BUCKETS = new TokenBuckets("sign_in_throttle");
    private static final String USER_PREFIX = "user:";
    private static final String ADDRESS_PREFIX = "addr:";
    /** The one bucket of every name that cannot be a username; '*' is in no username, so it is no user's bucket. */
    static final String INVALID_USER = USER_PREFIX + "*invalid";

    /** The purge's name in periodic_job and omnii_periodic_job_runs_total. */
    static final String PURGE_JOB = "sign-in-throttle-purge";
    static final Duration PURGE_INTERVAL = Duration.ofHours(1);

    private final EntityManager em;
    private final Clock clock;
    private final Limit perUser;
    private final Limit perAddress;
    private final PeriodicJobs jobs;

    SignInThrottle(EntityManager em, Clock clock, AccountsConfig config, PeriodicJobs jobs) {
        this.jobs = jobs;
        this.em = em;
        this.clock = clock;
        AccountsConfig.Throttle t = config.throttle();
        this.perUser = Limit.perHour(t.perUserBurst(), t.perUserPerHour());
        this.perAddress = Limit.perHour(t.perAddressBurst(), t.perAddressPerHour());
    }

    /** Takes one attempt from the username's and the address's buckets, or answers 429 sign_in_locked. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void acquire(String username, String address) {
        OffsetDateTime now = Times.utc(clock.instant());
        String user = userBucket(username);
        String addr = ADDRESS_PREFIX + address;
        boolean userOk = BUCKETS.take(em, user, perUser, now);
        boolean addressOk = BUCKETS.take(em, addr, perAddress, now);
        if (userOk && addressOk) {
            return;
        }
        long wait = 1;
        if (userOk) {
            BUCKETS.giveBack(em, user, perUser);
        } else {
            wait = Math.max(wait, BUCKETS.secondsUntilToken(em, user, perUser, now));
        }
        if (addressOk) {
            BUCKETS.giveBack(em, addr, perAddress);
        } else {
            wait = Math.max(wait, BUCKETS.secondsUntilToken(em, addr, perAddress, now));
        }
        Log.debugf("Sign-in attempts throttled (from %s)", address);
        throw ApiException.retryLater(429, LOCKED, "Too many failed sign-ins; retry later", wait);
    }

    /** Returns the tokens of an attempt whose password was right. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void release(String username, String address) {
        BUCKETS.giveBack(em, userBucket(username), perUser);
        BUCKETS.giveBack(em, ADDRESS_PREFIX + address, perAddress);
    }

    /** Full buckets carry no information; dropping them keeps the table as small as the set of offenders. */
    @Scheduled(every = "1h", delayed = "10m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void scheduledPurge() {
        // Once per interval fleet-wide; the claim and the purge are one transaction.
        if (jobs.claim(PURGE_JOB, PURGE_INTERVAL)) {
            forgetFullBuckets();
        }
    }

    void onStart(@Observes StartupEvent event) {
        jobs.register(PURGE_JOB);
    }

    /** Answers how many buckets it dropped. */
    @Transactional
    int forgetFullBuckets() {
        OffsetDateTime now = Times.utc(clock.instant());
        int deleted = BUCKETS.forgetFull(em, USER_PREFIX, perUser, now)
                + BUCKETS.forgetFull(em, ADDRESS_PREFIX, perAddress, now);
        Log.debugf("Dropped %d full sign-in throttle buckets", deleted);
        return deleted;
    }

    /**
     * A valid username's bucket is its lower-case form (the pattern is ASCII, so Java's and PostgreSQL's lower-casing
     * agree and the key stays within the column); every name that cannot be a username shares one bucket.
     */
    private static String userBucket(String username) {
        return AccountPayloads.validUsername(username) ? USER_PREFIX + username.toLowerCase(Locale.ROOT) : INVALID_USER;
    }
}
