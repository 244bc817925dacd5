package io.omnii.server.telemetry;

import io.omnii.server.common.WholeNumber;
import jakarta.ws.rs.QueryParam;
import java.time.Instant;

/** {@code from} (inclusive) and {@code to} (exclusive) of a metrics history query, epoch milliseconds, default all. */
@OrderedWindow
public class HistoryWindow {

    // 9999-12-31: instances' clocks may run ahead of ours, so "up to now" would hide their newest samples. Also the
    // largest value taken: PostgreSQL's timestamps end not far after it, and a later one would fail the query.
    static final long END_OF_TIME = 253_402_300_799_999L;
    private static final String RANGE = "must be epoch milliseconds between {min} and {max}";

    @QueryParam("from")
    @WholeNumber(min = 0, max = END_OF_TIME, message = RANGE)
    String from;

    @QueryParam("to")
    @WholeNumber(min = 0, max = END_OF_TIME, message = RANGE)
    String to;

    Instant from() {
        return Instant.ofEpochMilli(WholeNumber.Validator.parse(from, 0));
    }

    Instant to() {
        return Instant.ofEpochMilli(WholeNumber.Validator.parse(to, END_OF_TIME));
    }
}
