package io.omnii.server.telemetry;

import java.util.Optional;

/** What the parser made of one MQTT message: a report, or the reason it is dropped. */
public record Parsed(Optional<MessageKind> kind, Report report, RejectReason reason, String detail) {

    public static Parsed ok(Report report) {
        return new Parsed(Optional.of(report.kind()), report, null, null);
    }

    public static Parsed rejected(Optional<MessageKind> kind, RejectReason reason, String detail) {
        return new Parsed(kind, null, reason, detail);
    }

    public boolean isOk() {
        return report != null;
    }
}
