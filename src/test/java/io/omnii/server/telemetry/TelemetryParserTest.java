package io.omnii.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.fleet.InstanceStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The guide's payload rules, without a broker: what passes, and the reason for what does not. */
class TelemetryParserTest {

    private static final String ID = UUID.randomUUID().toString();
    private static final long T = 1_704_067_200_000L;
    // The server's clock: a minute after the reports' stamps.
    private static final Instant NOW = Instant.ofEpochMilli(T).plusSeconds(60);

    private final TelemetryParser parser = new TelemetryParser(new ObjectMapper(), new TelemetryConfig() {
        public int maxPayloadBytes() {
            return 65536;
        }

        public int batchSize() {
            return 500;
        }

        public Duration batchLinger() {
            return Duration.ofMillis(50);
        }

        public int queueCapacity() {
            return 4000;
        }

        public Duration maxClockSkew() {
            return Duration.ofMinutes(5);
        }

        public Duration retention() {
            return Duration.ofDays(30);
        }
    });

    private Parsed parse(String kind, String json) {
        return parse(kind, json.getBytes(StandardCharsets.UTF_8));
    }

    private Parsed parse(String kind, byte[] json) {
        return parser.parse("ha-instances/" + ID + "/" + kind, json, NOW);
    }

    @Test
    void theGuidesOwnPayloadsPass() {
        Parsed status = parse("status", "{\"status\": \"online\", \"version\": \"2024.1.0\", \"timestamp\": " + T + "}");
        assertThat(status.isOk()).isTrue();
        assertThat(((Report.Status) status.report()).status()).isEqualTo(InstanceStatus.ONLINE);
        // The example's publish_status may send a null version.
        assertThat(parse("status", "{\"status\": \"offline\", \"version\": null, \"timestamp\": " + T + "}").isOk()).isTrue();
        Parsed heartbeat = parse("heartbeat", "{\"status\": \"online\", \"uptime\": 12.7, \"timestamp\": " + T + "}");
        assertThat(((Report.Heartbeat) heartbeat.report()).uptime()).isEqualTo(12L);
        Parsed metrics = parse("metrics", "{\"uptimeSeconds\": 5, \"version\": \"1\", \"stabilityScore\": 0.95,"
                + " \"metadata\": {\"coreVersion\": \"2024.1.0\", \"supervisorVersion\": \"2024.01.0\", \"x\": [1]},"
                + " \"timestamp\": " + T + ", \"extra\": true}");
        Report.Metrics m = (Report.Metrics) metrics.report();
        assertThat(m.coreVersion()).isEqualTo("2024.1.0");
        assertThat(m.totalDevices()).isNull();
        assertThat(m.metadata()).containsKey("x");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "status    | {\"status\": \"Online\", \"timestamp\": 1704067200000}                 | INVALID_PAYLOAD",
            "status    | {\"status\": \"online\"}                                              | INVALID_PAYLOAD",
            "status    | {\"status\": \"online\", \"timestamp\": 1704067200}                   | INVALID_PAYLOAD",
            "status    | {\"status\": \"online\", \"timestamp\": \"1704067200000\"}             | INVALID_PAYLOAD",
            "status    | {\"status\": \"online\", \"version\": 2024, \"timestamp\": 1704067200000} | INVALID_PAYLOAD",
            "heartbeat | {\"status\": \"online\", \"uptime\": -1, \"timestamp\": 1704067200000}  | INVALID_PAYLOAD",
            "metrics   | {\"stabilityScore\": 1.01, \"timestamp\": 1704067200000}             | INVALID_PAYLOAD",
            "metrics   | {\"metadata\": {\"totalDevices\": 2.5}, \"timestamp\": 1704067200000}  | INVALID_PAYLOAD",
            "metrics   | {\"metadata\": \"none\", \"timestamp\": 1704067200000}                 | INVALID_PAYLOAD",
            "metrics   | [1, 2]                                                               | MALFORMED_JSON",
            "metrics   | {\"timestamp\":                                                       | MALFORMED_JSON",
            "commands  | {}                                                                   | BAD_TOPIC",
    })
    void badPayloadsAreRejectedWithTheirReason(String kind, String json, RejectReason reason) {
        assertThat(parse(kind, json).reason()).isEqualTo(reason);
    }

    @Test
    void topicsAndSizesAreChecked() {
        byte[] ok = ("{\"status\": \"online\", \"timestamp\": " + T + "}").getBytes(StandardCharsets.UTF_8);
        assertThat(parser.parse("ha-instances/not-a-uuid/status", ok, NOW).reason()).isEqualTo(RejectReason.BAD_TOPIC);
        assertThat(parser.parse("elsewhere/" + ID + "/status", ok, NOW).reason()).isEqualTo(RejectReason.BAD_TOPIC);
        assertThat(parser.parse("ha-instances/" + ID + "/status/extra", ok, NOW).reason())
                .isEqualTo(RejectReason.BAD_TOPIC);
        assertThat(parser.parse("ha-instances/" + ID + "/status", new byte[65537], NOW).reason())
                .isEqualTo(RejectReason.TOO_LARGE);
    }

    @Test
    void aReportStampedFurtherAheadThanTheSkewIsRefusedAsFutureTimestamp() {
        long edge = NOW.plus(Duration.ofMinutes(5)).toEpochMilli();
        for (String kind : List.of("status", "heartbeat", "metrics")) {
            assertThat(parse(kind, "{\"status\": \"online\", \"timestamp\": " + edge + "}").isOk()).isTrue();
            assertThat(parse(kind, "{\"status\": \"online\", \"timestamp\": " + (edge + 1) + "}").reason())
                    .isEqualTo(RejectReason.FUTURE_TIMESTAMP);
        }
        // The issue's report: year 2255, inside the range of plausible milliseconds.
        assertThat(parse("status", "{\"status\": \"error\", \"version\": \"x\", \"timestamp\": 9000000000000}")
                .reason()).isEqualTo(RejectReason.FUTURE_TIMESTAMP);
    }

    @Test
    void theIssuesPoisonedMetricsAreRefusedAsInvalidPayload() {
        assertThat(parse("metrics", "{\"metadata\": {\"n\": \"a\\u0000b\"}, \"timestamp\": " + T + "}").reason())
                .isEqualTo(RejectReason.INVALID_PAYLOAD);
        assertThat(parse("status", "{\"status\": \"online\", \"version\": \"1\\u0000\", \"timestamp\": " + T
                + "}").reason()).isEqualTo(RejectReason.INVALID_PAYLOAD);
        // A pair of surrogates is a character like any other.
        assertThat(parse("metrics", "{\"metadata\": {\"n\": \"\\uD83D\\uDE00\"}, \"timestamp\": " + T + "}").isOk())
                .isTrue();
    }

    /** Property: wherever a poison sits in a payload, it is refused with its reason; payloads without it pass. */
    @Test
    void everyPayloadWithAValuePostgresqlRefusesIsRefusedWhereverTheValueSits() {
        long seed = System.nanoTime();
        HostilePayloads payloads = new HostilePayloads(seed);
        Map<HostilePayloads.Poison, Integer> seen = new EnumMap<>(HostilePayloads.Poison.class);
        for (int i = 0; i < 3_000; i++) {
            HostilePayloads.Payload good = payloads.good(T - i);
            assertThat(parse("metrics", good.bytes()).reason()).as("seed %d, %s", seed, good).isNull();
            HostilePayloads.Payload bad = payloads.hostile(T - i);
            assertThat(parse("metrics", bad.bytes()).reason()).as("seed %d, %s", seed, bad)
                    .isEqualTo(bad.reason());
            seen.merge(bad.poison(), 1, Integer::sum);
        }
        assertThat(seen).hasSize(HostilePayloads.Poison.values().length);
    }
}
