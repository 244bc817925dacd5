package io.omnii.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The presence rules alone, no database: every state against every kind of observation, and random histories. */
class PresenceTest {

    private static final UUID ID = UUID.randomUUID();
    private static final Instant T = Instant.parse("2024-01-01T12:00:00Z");
    private static final Duration SKEW = Duration.ofMinutes(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** Offsets around a boundary: well before, just before, on it, just after, well after. */
    private static final List<Duration> AROUND = List.of(Duration.ofSeconds(-30), Duration.ofMillis(-1), Duration.ZERO,
            Duration.ofMillis(1), Duration.ofSeconds(30));
    /** Every status but decommissioned: what an instance can be in and say of itself. */
    private static final EnumSet<InstanceStatus> LIVE = EnumSet.of(InstanceStatus.ONLINE, InstanceStatus.OFFLINE,
            InstanceStatus.ERROR);

    private static Presence.State stored(InstanceStatus status, Instant lastSeen, Instant lastReport,
            Instant metricsAt) {
        return Presence.State.stored(ID, status, lastSeen, lastReport, metricsAt);
    }

    private static Observation report(boolean heartbeat, Instant stamp, Instant received, InstanceStatus says) {
        return heartbeat ? new Observation.Heartbeat(ID, stamp, received, says, 42L)
                : new Observation.Status(ID, stamp, received, says, "2024.1.0");
    }

    private static Observation.Metrics metrics(Instant stamp, Instant received) {
        return new Observation.Metrics(ID, stamp, received, "2024.2.0", 7L, new Observation.LatestMetrics(0.9,
                "2024.2.0", "2024.02.0", "12.0", 3, 30, 1, Map.of("k", "v")));
    }

    static Stream<Arguments> everyLiveStatusReportAndOrder() {
        List<Arguments> cases = new ArrayList<>();
        for (InstanceStatus from : LIVE) {
            for (InstanceStatus says : LIVE) {
                for (boolean heartbeat : List.of(true, false)) {
                    for (Duration offset : AROUND) {
                        cases.add(Arguments.of(from, says, heartbeat, offset));
                    }
                }
            }
        }
        return cases.stream(); // 3 x 3 x 2 x 5 = 90
    }

    @ParameterizedTest(name = "{0} hears {1}, heartbeat {2}, stamped {3} from the last")
    @MethodSource("everyLiveStatusReportAndOrder")
    void aReportAppliesUnlessOlderThanTheLastAppliedButAlwaysCountsAsSeen(InstanceStatus from, InstanceStatus says,
            boolean heartbeat, Duration offset) {
        Instant received = T.plusSeconds(10);
        Presence.State s = stored(from, T, T, null);
        Presence.Step step = Presence.observe(s, report(heartbeat, T.plus(offset), received, says), SKEW);

        assertThat(step.accepted()).isTrue();
        assertThat(step.state().lastSeenAt()).isEqualTo(received);
        boolean applies = !offset.isNegative();
        InstanceStatus expected = applies ? says : from;
        assertThat(step.state().status()).isEqualTo(expected);
        assertThat(step.state().lastReportAt()).isEqualTo(applies ? T.plus(offset) : T);
        if (expected == from) {
            assertThat(step.transition()).isEmpty();
            assertThat(step.state().statusChangedAt()).isNull();
        } else {
            assertThat(step.transition()).contains(new Presence.Transition(ID, received, from, says,
                    heartbeat ? TransitionReason.HEARTBEAT : TransitionReason.REPORTED));
            assertThat(step.state().statusChangedAt()).isEqualTo(received);
        }
        // What a report carries besides its status goes with it.
        if (heartbeat) {
            assertThat(step.state().uptime()).isEqualTo(applies ? 42L : null);
        } else {
            assertThat(step.state().version()).isEqualTo(applies ? "2024.1.0" : null);
        }
    }

    static Stream<Arguments> heldStampsAroundTheHorizon() {
        List<Arguments> cases = new ArrayList<>();
        for (Duration offset : AROUND) {
            for (boolean heartbeat : List.of(true, false)) {
                cases.add(Arguments.of(offset, heartbeat));
            }
        }
        return cases.stream();
    }

    /**
     * A held stamp beyond the horizon (arrival + allowed skew) came from before such reports were refused, or the
     * server's clock went back: it orders nothing, so even a report stamped before it applies.
     */
    @ParameterizedTest(name = "held stamp at horizon {0}, heartbeat {1}")
    @MethodSource("heldStampsAroundTheHorizon")
    void aHeldStampBeyondTheClockSkewHorizonOrdersNothing(Duration offset, boolean heartbeat) {
        Instant received = T;
        Instant held = received.plus(SKEW).plus(offset);
        Presence.State s = stored(InstanceStatus.OFFLINE, null, held, held);
        Instant stamp = received.minusSeconds(1); // older than the held stamp, whatever the offset
        Presence.Step step = Presence.observe(s, report(heartbeat, stamp, received, InstanceStatus.ONLINE), SKEW);
        Presence.Step metricsStep = Presence.observe(s, metrics(stamp, received), SKEW);

        boolean beyond = !offset.isNegative() && !offset.isZero();
        assertThat(step.state().status()).isEqualTo(beyond ? InstanceStatus.ONLINE : InstanceStatus.OFFLINE);
        assertThat(step.state().lastReportAt()).isEqualTo(beyond ? stamp : held);
        assertThat(metricsStep.state().metricsAt()).isEqualTo(beyond ? stamp : held);
    }

    @Test
    void metricsAreOrderedAmongThemselvesAndChangeNoStatus() {
        for (InstanceStatus from : LIVE) {
            for (Duration offset : AROUND) {
                Presence.State s = stored(from, null, T.plusSeconds(3600), T);
                Presence.Step step = Presence.observe(s, metrics(T.plus(offset), T.plusSeconds(5)), SKEW);
                boolean applies = !offset.isNegative();
                assertThat(step.accepted()).isTrue();
                assertThat(step.transition()).isEmpty();
                assertThat(step.state().status()).isEqualTo(from);
                // A status stamped an hour later does not hold metrics back: they have their own order.
                assertThat(step.state().metricsAt()).isEqualTo(applies ? T.plus(offset) : T);
                assertThat(step.state().latest() != null).isEqualTo(applies);
                assertThat(step.state().version()).isEqualTo(applies ? "2024.2.0" : null);
                assertThat(step.state().uptime()).isEqualTo(applies ? 7L : null);
                assertThat(step.state().lastSeenAt()).isEqualTo(T.plusSeconds(5));
            }
        }
    }

    @Test
    void aDecommissionedInstanceIgnoresEverything() {
        Random random = new Random(14);
        Presence.State gone = stored(InstanceStatus.DECOMMISSIONED, T, T, T);
        for (int i = 0; i < 500; i++) {
            Observation o = randomObservation(random, T);
            Presence.Step step = Presence.observe(gone, o, SKEW);
            assertThat(step.accepted()).isFalse();
            assertThat(step.state()).isEqualTo(gone);
            assertThat(step.transition()).isEmpty();
        }
        for (Duration offset : AROUND) {
            assertThat(Presence.timeOut(stored(InstanceStatus.DECOMMISSIONED, T.minus(TIMEOUT).plus(offset), T, T),
                    T, TIMEOUT).transition()).isEmpty();
        }
        assertThat(Presence.decommission(gone, T.plusSeconds(1)).transition()).isEmpty();
    }

    @Test
    void silenceBeyondTheTimeoutTurnsAnUpInstanceOfflineAndNothingElse() {
        Instant now = T;
        List<Instant> lastSeen = new ArrayList<>();
        lastSeen.add(null);
        AROUND.forEach(o -> lastSeen.add(now.minus(TIMEOUT).plus(o)));
        for (InstanceStatus from : InstanceStatus.values()) {
            for (Instant seen : lastSeen) {
                Presence.State s = stored(from, seen, null, null);
                Presence.Step step = Presence.timeOut(s, now, TIMEOUT);
                boolean silent = (from == InstanceStatus.ONLINE || from == InstanceStatus.ERROR) && seen != null
                        && seen.isBefore(now.minus(TIMEOUT));
                assertThat(step.state().status()).as("%s seen %s", from, seen)
                        .isEqualTo(silent ? InstanceStatus.OFFLINE : from);
                assertThat(step.transition()).isEqualTo(silent ? Optional.of(new Presence.Transition(ID,
                        now, from, InstanceStatus.OFFLINE, TransitionReason.HEARTBEAT_TIMEOUT))
                        : Optional.empty());
            }
        }
    }

    @Test
    void anEnrolledInstanceStartsOfflineWithItsFirstTransitionRecorded() {
        Presence.Step step = Presence.enroll(ID, T);
        assertThat(step.state().status()).isEqualTo(InstanceStatus.OFFLINE);
        assertThat(step.state().lastSeenAt()).isNull();
        assertThat(step.transition()).contains(new Presence.Transition(ID, T, null, InstanceStatus.OFFLINE,
                TransitionReason.ENROLLED));
    }

    @Test
    void decommissioningWorksFromEveryStateAndOnlyOnce() {
        for (InstanceStatus from : InstanceStatus.values()) {
            Presence.Step step = Presence.decommission(stored(from, T, T, T), T.plusSeconds(1));
            assertThat(step.state().status()).isEqualTo(InstanceStatus.DECOMMISSIONED);
            if (from == InstanceStatus.DECOMMISSIONED) {
                assertThat(step.transition()).isEmpty();
            } else {
                assertThat(step.transition()).contains(new Presence.Transition(ID, T.plusSeconds(1), from,
                        InstanceStatus.DECOMMISSIONED, TransitionReason.DECOMMISSIONED));
                assertThat(Presence.decommission(step.state(), T.plusSeconds(2)).transition()).isEmpty();
            }
        }
    }

    /**
     * Random histories, delivered in random order: whatever the order, the instance ends in the status of its
     * newest-stamped report, the transitions chain from the first status to the last, and it was seen last when
     * the last report arrived.
     */
    @Test
    void whateverTheArrivalOrderTheNewestStampedReportWins() {
        Random random = new Random(1404);
        for (int run = 0; run < 2_000; run++) {
            InstanceStatus start = pick(random, LIVE);
            List<Observation> reports = new ArrayList<>();
            int n = 1 + random.nextInt(8);
            for (int i = 0; i < n; i++) {
                // Distinct stamps within the last minute; arrivals all after them, within the skew.
                Instant stamp = T.plusMillis(i * 1_000L + random.nextInt(900));
                reports.add(report(random.nextBoolean(), stamp, T.plusSeconds(60 + random.nextInt(60)),
                        pick(random, LIVE)));
            }
            Observation newest = reports.get(n - 1);
            Collections.shuffle(reports, random);

            Presence.State s = stored(start, null, null, null);
            InstanceStatus previous = start;
            Instant lastArrival = null;
            for (Observation o : reports) {
                Presence.Step step = Presence.observe(s, o, SKEW);
                assertThat(step.accepted()).isTrue();
                if (step.transition().isPresent()) {
                    assertThat(step.transition().get().from()).isEqualTo(previous);
                    assertThat(step.transition().get().to()).isNotEqualTo(previous);
                    previous = step.transition().get().to();
                }
                s = step.state();
                lastArrival = lastArrival == null || o.receivedAt().isAfter(lastArrival) ? o.receivedAt()
                        : lastArrival;
            }
            InstanceStatus said = newest instanceof Observation.Heartbeat h ? h.status()
                    : ((Observation.Status) newest).status();
            assertThat(s.status()).isEqualTo(said).isEqualTo(previous);
            assertThat(s.lastReportAt()).isEqualTo(newest.stamp());
            assertThat(s.lastSeenAt()).isEqualTo(lastArrival);
        }
    }

    private static Observation randomObservation(Random random, Instant around) {
        Instant stamp = around.plusSeconds(random.nextInt(7200) - 3600);
        Instant received = around.plusSeconds(random.nextInt(120));
        return switch (random.nextInt(3)) {
            case 0 -> report(true, stamp, received, pick(random, LIVE));
            case 1 -> report(false, stamp, received, pick(random, LIVE));
            default -> metrics(stamp, received);
        };
    }

    private static InstanceStatus pick(Random random, EnumSet<InstanceStatus> from) {
        List<InstanceStatus> all = List.copyOf(from);
        return all.get(random.nextInt(all.size()));
    }
}
