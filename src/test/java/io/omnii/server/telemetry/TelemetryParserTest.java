package io.omnii.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnii.server.fleet.InstanceStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The guide's payload rules, without a broker: what passes, and the reason for what does not. */
class TelemetryParserTest {

    private static final String ID = UUID.randomUUID().toString();
    private static final long T = 1_704_067_200_000L;

    private final TelemetryParser parser = new TelemetryParser(new ObjectMapper(), new TelemetryConfig() {
        public int maxPayloadBytes() {
            return 1024;
        }

        public int batchSize() {
            return 500;
        }

        public int queueCapacity() {
            return 4000;
        }

        public Duration presenceTimeout() {
            return Duration.ofSeconds(90);
        }

        public Duration retention() {
            return Duration.ofDays(30);
        }
    });

    private Parsed parse(String kind, String json) {
        return parser.parse("ha-instances/" + ID + "/" + kind, json.getBytes(StandardCharsets.UTF_8));
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
        assertThat(parser.parse("ha-instances/not-a-uuid/status", ok).reason()).isEqualTo(RejectReason.BAD_TOPIC);
        assertThat(parser.parse("elsewhere/" + ID + "/status", ok).reason()).isEqualTo(RejectReason.BAD_TOPIC);
        assertThat(parser.parse("ha-instances/" + ID + "/status/extra", ok).reason()).isEqualTo(RejectReason.BAD_TOPIC);
        assertThat(parser.parse("ha-instances/" + ID + "/status", new byte[1025]).reason())
                .isEqualTo(RejectReason.TOO_LARGE);
    }
}
