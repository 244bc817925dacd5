package io.omnii.server.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.omnii.server.testsupport.Database;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry, the leader lease and the periodic-job claims against the real PostgreSQL, with other replicas as rows. */
@QuarkusTest
class ReplicasTest extends ServerTest {

    @Inject
    Replicas replicas;

    @Inject
    Leadership leadership;

    @Inject
    PeriodicJobs jobs;

    @Inject
    Database db;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    Changes changes;

    @Singleton
    static class Changes {
        final List<Boolean> seen = new CopyOnWriteArrayList<>();

        void on(@Observes LeadershipChanged changed) {
            seen.add(changed.leader());
        }
    }

    @AfterEach
    void leadAgain() {
        db.execute("DELETE FROM lease");
        db.execute("DELETE FROM replica WHERE incarnation <> '" + replicas.incarnation() + "'");
        leadership.renew();
    }

    private void otherReplica(UUID incarnation, String clientId, String seenAgo) {
        db.execute("INSERT INTO replica (incarnation, client_id, started_at, seen_at) VALUES ('" + incarnation + "', '"
                + clientId + "', clock_timestamp() - interval '1 hour', clock_timestamp() - interval '" + seenAgo
                + "')");
    }

    @Test
    void theOnlyReplicaIsRegisteredAliveAndLeads() {
        assertThat(db.count("SELECT count(*) FROM replica WHERE incarnation = '" + replicas.incarnation()
                + "' AND client_id = 'omnii-server'")).isEqualTo(1);
        assertThat(replicas.isLive(replicas.incarnation())).isTrue();
        assertThat(leadership.isLeader()).isTrue();
    }

    @Test
    void aReplicaWhoseMqttDrainDidNotFinishLeavesItsRowToGoStaleAndOneThatDrainedSignsOff() {
        String mine = "SELECT count(*) FROM replica WHERE incarnation = '" + replicas.incarnation() + "'";
        try {
            replicas.signOff(false);
            assertThat(db.count(mine)).as("left for adoption once stale").isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM lease WHERE name = 'leader'")).as("leadership given up").isZero();

            replicas.signOff(true);
            assertThat(db.count(mine)).isZero();
        } finally {
            replicas.renew();
        }
        assertThat(db.count(mine)).isEqualTo(1);
    }

    @Test
    void aReplicaNotHeardOfWithinTheLeaseIsGoneAndListedAsDeparted() {
        UUID alive = UUID.randomUUID();
        UUID gone = UUID.randomUUID();
        UUID goneButBack = UUID.randomUUID();
        otherReplica(alive, "omnii-server-1", "1 second");
        otherReplica(gone, "omnii-server-2", "11 seconds");
        // omnii-server-3 died, and a later incarnation of it is running: its session is in use, nothing departed.
        otherReplica(goneButBack, "omnii-server-3", "1 minute");
        otherReplica(UUID.randomUUID(), "omnii-server-3", "0 seconds");

        assertThat(replicas.isLive(alive)).isTrue();
        assertThat(replicas.isLive(gone)).isFalse();
        assertThat(replicas.isLive(UUID.randomUUID())).as("never registered").isFalse();
        assertThat(replicas.live()).contains(alive, replicas.incarnation()).doesNotContain(gone, goneButBack);
        assertThat(replicas.departed()).extracting(Replicas.Departed::clientId).containsExactly("omnii-server-2");

        replicas.forget(gone);
        assertThat(replicas.departed()).isEmpty();
    }

    @Test
    void anotherReplicasUnexpiredLeaseIsRespectedAndAnExpiredOneIsTakenOver() {
        UUID other = UUID.randomUUID();
        db.execute("UPDATE lease SET holder = '" + other + "', expires_at = clock_timestamp() + interval '1 minute'");
        leadership.renew();
        assertThat(leadership.isLeader()).isFalse();

        db.execute("UPDATE lease SET expires_at = clock_timestamp() - interval '1 millisecond'");
        leadership.renew();
        assertThat(leadership.isLeader()).isTrue();
        assertThat(db.count("SELECT count(*) FROM lease WHERE holder = '" + replicas.incarnation() + "'"))
                .isEqualTo(1);
        assertThat(changes.seen).containsSubsequence(false, true);
    }

    @Test
    void aPeriodicJobRunsOncePerIntervalAcrossReplicasAndAgainOnceTheIntervalIsOver() {
        Duration interval = Duration.ofHours(1);
        String job = "test-" + UUID.randomUUID();
        assertThat(QuarkusTransaction.requiringNew().call(() -> jobs.claim(job, interval))).isTrue();
        assertThat(jobs.claimNow(job, interval)).as("within the interval").isFalse();
        // 0.9 of the interval later counts as over: another replica's scheduler may tick a little early.
        db.execute("UPDATE periodic_job SET ran_at = ran_at - interval '55 minutes' WHERE name = '" + job + "'");
        assertThat(jobs.claimNow(job, interval)).as("five minutes before the hour").isTrue();
        db.execute("UPDATE periodic_job SET ran_at = ran_at - interval '53 minutes' WHERE name = '" + job + "'");
        assertThat(jobs.claimNow(job, interval)).as("seven minutes before the hour").isFalse();
        assertThat(db.count("SELECT runs FROM periodic_job WHERE name = '" + job + "'")).isEqualTo(2);
    }

    @Test
    void aJobThatFailsHalfWayLeavesItsIntervalUnclaimed() {
        Duration interval = Duration.ofHours(1);
        String job = "test-" + UUID.randomUUID();
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                assertThat(jobs.claim(job, interval)).isTrue();
                throw new IllegalStateException("the replica dies half way");
            });
        } catch (IllegalStateException expected) {
            // rolled back with its claim
        }
        assertThat(jobs.claimNow(job, interval)).isTrue();
    }

    @Test
    void aJobAnotherReplicaIsRunningIsSkippedNotWaitedFor() throws Exception {
        Duration interval = Duration.ofHours(1);
        String job = "test-" + UUID.randomUUID();
        jobs.claimNow(job, Duration.ofMillis(1)); // the row exists
        db.execute("UPDATE periodic_job SET ran_at = '-infinity' WHERE name = '" + job + "'");
        try (Connection other = dataSource.getConnection()) {
            // Another replica's job transaction, claim made (uncommitted), work under way.
            other.setAutoCommit(false);
            other.createStatement().execute("UPDATE periodic_job SET ran_at = clock_timestamp(), runs = runs + 1"
                    + " WHERE name = '" + job + "'");
            long started = System.nanoTime();
            assertThat(jobs.claimNow(job, interval)).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            other.rollback();
        }
        assertThat(jobs.claimNow(job, interval)).isTrue();
    }
}
