package io.omnii.server.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The rules of an instance's status, in one place and without a database: a state and what happened (enrollment,
 * a report, silence, decommissioning) give the next state and the transition to record. {@link InstanceWriter}
 * applies them to the rows; the presence sweep runs {@link #timeOut} as one statement built from its constants.
 */
public final class Presence {

    /** The statuses that silence ends: an instance that said it was up, then stopped talking. */
    public static final Set<InstanceStatus> TIMES_OUT = EnumSet.of(InstanceStatus.ONLINE, InstanceStatus.ERROR);

    /** Where silence leaves it. */
    public static final InstanceStatus SILENT = InstanceStatus.OFFLINE;

    private Presence() {
    }

    /**
     * An instance as the rules see it. {@code status} and the three stamps are as stored; {@code statusChangedAt},
     * {@code version}, {@code uptime} and {@code latest} are what the observations so far changed, null where they
     * changed nothing (the stored value stands).
     */
    public record State(UUID id, InstanceStatus status, Instant statusChangedAt, Instant lastSeenAt,
            Instant lastReportAt, Instant metricsAt, String version, Long uptime, Observation.LatestMetrics latest) {

        /** A stored row: its status and the stamps that order what comes next. */
        public static State stored(UUID id, InstanceStatus status, Instant lastSeenAt, Instant lastReportAt,
                Instant metricsAt) {
            return new State(id, status, null, lastSeenAt, lastReportAt, metricsAt, null, null, null);
        }
    }

    /** A change of status, recorded in instance_event and counted in instance_count; {@code from} is null at birth. */
    public record Transition(UUID instanceId, Instant at, InstanceStatus from, InstanceStatus to,
            TransitionReason reason) {
    }

    /** The next state; {@code accepted} is false when the rules refused the observation (nothing changed). */
    public record Step(State state, boolean accepted, Optional<Transition> transition) {
    }

    /** A new instance starts offline until it reports. */
    public static Step enroll(UUID id, Instant at) {
        State born = new State(id, InstanceStatus.OFFLINE, at, null, null, null, null, null, null);
        return new Step(born, true, Optional.of(new Transition(id, at, null, InstanceStatus.OFFLINE,
                TransitionReason.ENROLLED)));
    }

    /**
     * A report. Its arrival always counts as a sign of life; it changes the status (and version or uptime) only if
     * its own stamp is not older than the last status or heartbeat applied, so a late report never overrules a newer
     * one. Metrics are ordered among themselves and change no status. A decommissioned instance is not listened to.
     *
     * @param maxClockSkew how far ahead of the server's clock a report may be stamped (see {@link #isNewer})
     */
    public static Step observe(State s, Observation o, Duration maxClockSkew) {
        if (s.status() == InstanceStatus.DECOMMISSIONED) {
            return new Step(s, false, Optional.empty());
        }
        Instant at = o.receivedAt();
        Instant horizon = at.plus(maxClockSkew);
        Instant seen = s.lastSeenAt() == null || at.isAfter(s.lastSeenAt()) ? at : s.lastSeenAt();
        if (o instanceof Observation.Heartbeat h && isNewer(h.stamp(), s.lastReportAt(), horizon)) {
            return moveTo(new State(s.id(), s.status(), s.statusChangedAt(), seen, h.stamp(), s.metricsAt(),
                    s.version(), h.uptime() != null ? h.uptime() : s.uptime(), s.latest()),
                    h.status(), TransitionReason.HEARTBEAT, at);
        }
        if (o instanceof Observation.Status r && isNewer(r.stamp(), s.lastReportAt(), horizon)) {
            return moveTo(new State(s.id(), s.status(), s.statusChangedAt(), seen, r.stamp(), s.metricsAt(),
                    r.version() != null ? r.version() : s.version(), s.uptime(), s.latest()),
                    r.status(), TransitionReason.REPORTED, at);
        }
        if (o instanceof Observation.Metrics m && isNewer(m.stamp(), s.metricsAt(), horizon)) {
            return new Step(new State(s.id(), s.status(), s.statusChangedAt(), seen, s.lastReportAt(), m.stamp(),
                    m.version() != null ? m.version() : s.version(), m.uptime() != null ? m.uptime() : s.uptime(),
                    m.latest()), true, Optional.empty());
        }
        // Older than what was applied: only the sign of life counts.
        return new Step(new State(s.id(), s.status(), s.statusChangedAt(), seen, s.lastReportAt(), s.metricsAt(),
                s.version(), s.uptime(), s.latest()), true, Optional.empty());
    }

    /**
     * Silence: an instance in {@link #TIMES_OUT} not heard from since before {@code now - timeout} turns
     * {@link #SILENT}. Never heard from (no last-seen time) is not silence: it never said it was up.
     */
    public static Step timeOut(State s, Instant now, Duration timeout) {
        if (TIMES_OUT.contains(s.status()) && s.lastSeenAt() != null && s.lastSeenAt().isBefore(now.minus(timeout))) {
            return moveTo(s, SILENT, TransitionReason.HEARTBEAT_TIMEOUT, now);
        }
        return new Step(s, true, Optional.empty());
    }

    /** From any state; decommissioning a decommissioned instance changes nothing. */
    public static Step decommission(State s, Instant at) {
        return moveTo(s, InstanceStatus.DECOMMISSIONED, TransitionReason.DECOMMISSIONED, at);
    }

    /**
     * Whether a report stamped {@code at} is not older than {@code held}, the stamp already applied. A held stamp
     * beyond {@code horizon} (the allowed skew past the report's arrival) came in before such reports were refused,
     * or the server's clock went back: it orders nothing, or the instance would freeze until then.
     */
    static boolean isNewer(Instant at, Instant held, Instant horizon) {
        return held == null || !at.isBefore(held) || held.isAfter(horizon);
    }

    private static Step moveTo(State s, InstanceStatus to, TransitionReason reason, Instant at) {
        if (s.status() == to) {
            return new Step(s, true, Optional.empty());
        }
        State next = new State(s.id(), to, at, s.lastSeenAt(), s.lastReportAt(), s.metricsAt(), s.version(),
                s.uptime(), s.latest());
        return new Step(next, true, Optional.of(new Transition(s.id(), at, s.status(), to, reason)));
    }
}
