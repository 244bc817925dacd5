package io.omnii.server.telemetry;

import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Message;

/** A received message on its way to the database; acknowledged to the broker once its batch is committed. */
record Pending(Parsed parsed, Message<byte[]> message, Instant receivedAt, long arrivalNanos) {
}
