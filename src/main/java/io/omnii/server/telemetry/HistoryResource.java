package io.omnii.server.telemetry;

import io.omnii.server.common.Ids;
import io.omnii.server.common.Page;
import io.omnii.server.common.Validation;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;

@Path("/instances/{id}")
@Produces(MediaType.APPLICATION_JSON)
public class HistoryResource {

    // 9999-12-31: instances' clocks may run ahead of ours, so "up to now" would hide their newest samples. Also the
    // largest value taken: PostgreSQL's timestamps end not far after it, and a later one would fail the query.
    private static final long END_OF_TIME = 253_402_300_799_999L;

    private final HistoryService history;

    HistoryResource(HistoryService history) {
        this.history = history;
    }

    /** Metrics history; {@code from} (inclusive) and {@code to} (exclusive) are epoch milliseconds, default all. */
    @GET
    @Path("/metrics")
    public Page<HistoryService.Sample> metrics(@PathParam("id") String id, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("page") String page, @QueryParam("size") String size) {
        Long fromMs = epochMillis(from, 0L);
        Long toMs = epochMillis(to, END_OF_TIME);
        new Validation()
                .check(fromMs != null, "from", "must be epoch milliseconds between 0 and " + END_OF_TIME)
                .check(toMs != null, "to", "must be epoch milliseconds between 0 and " + END_OF_TIME)
                .check(fromMs == null || toMs == null || fromMs <= toMs, "to", "must not be before from")
                .throwIfInvalid();
        return history.metrics(Ids.pathId(id, "Instance"), Instant.ofEpochMilli(fromMs), Instant.ofEpochMilli(toMs),
                Page.request(page, size));
    }

    /** Status transitions with their reasons, newest first. */
    @GET
    @Path("/events")
    public Page<HistoryService.Event> events(@PathParam("id") String id, @QueryParam("page") String page,
            @QueryParam("size") String size) {
        return history.events(Ids.pathId(id, "Instance"), Page.request(page, size));
    }

    private static Long epochMillis(String value, long absent) {
        if (value == null || value.isBlank()) {
            return absent;
        }
        try {
            long ms = Long.parseLong(value.strip());
            return ms >= 0 && ms <= END_OF_TIME ? ms : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
