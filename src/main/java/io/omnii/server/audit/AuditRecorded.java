package io.omnii.server.audit;

/** An entry was appended in the current transaction; observed after it commits, never for a rolled-back one. */
record AuditRecorded(AuditAction action) {
}
