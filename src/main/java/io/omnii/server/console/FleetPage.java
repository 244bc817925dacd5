package io.omnii.server.console;

import io.omnii.server.common.ApiException;
import io.omnii.server.common.Page;
import io.omnii.server.common.Roles;
import io.omnii.server.fleet.FleetCounts;
import io.omnii.server.fleet.Instance;
import io.omnii.server.fleet.InstanceService;
import io.omnii.server.fleet.InstanceStatus;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The fleet at a glance, the console's home page: counts by state, and the instances the filters pick, a page at a
 * time by cursor. Both parts are fragments that fetch themselves again when an instance changes (live feed).
 */
@Path("/console/")
@Produces(MediaType.TEXT_HTML)
public class FleetPage {

    /** The keys of the add-on's metrics metadata the table shows, when they are numbers (docs/console.md). */
    static final String CPU = "cpuPercent";
    static final String MEMORY = "memoryPercent";
    static final String DISK = "diskPercent";
    static final String COUNTS_PATH = "/console/fleet/counts";
    static final String LIST_PATH = "/console/fleet/list";
    /**
     * A total that has to be counted (a search, tags, a scope) is counted this far only: beyond it the page says "more
     * than", so a filter matching most of a large fleet does not read all of it for one number.
     */
    static final long COUNT_CAP = 10_000;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance fleet(Chrome chrome, FleetCounts counts, FleetFilter filter, Listing listing,
                String error);

        static native TemplateInstance fleet$counts(FleetCounts counts);

        static native TemplateInstance fleet$list(Chrome chrome, Listing listing);
    }

    /** One row of the table. {@code state} is the page's state word: a status, or "never_seen". */
    public record Row(UUID id, String name, List<String> tags, String state, String version, Long lastSeenAt,
            String cpu, String memory, String disk) {
    }

    /**
     * The rows on screen, how many match, and URLs: this page's fragment (to refresh it), the next page and the
     * first page (null when there is none, or this is it).
     */
    public record Listing(List<Row> rows, String total, String self, String next, String first) {
    }

    private final InstanceService instances;
    private final ConsoleRequest console;
    private final ConsoleConfig config;

    FleetPage(InstanceService instances, ConsoleRequest console, ConsoleConfig config) {
        this.instances = instances;
        this.console = console;
        this.config = config;
    }

    /** The whole page; filters no listing could answer are said on it (400), above an empty table. */
    @RolesAllowed(Roles.VIEWER)
    @GET
    public Response fleet(@BeanParam FleetFilter filter) {
        Chrome chrome = console.chrome("fleet");
        FleetCounts counts = instances.counts(console.caller().scope());
        try {
            filter.check();
        } catch (ApiException e) {
            // No refresh address: a live refresh must not fill the refused filter's empty table with the whole fleet.
            Listing none = new Listing(List.of(), total(0), null, null, null);
            return Response.status(e.status())
                    .entity(Templates.fleet(chrome, counts, filter, none, problem(e))).build();
        }
        return Response.ok(Templates.fleet(chrome, counts, filter, listing(filter), null)).build();
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("fleet/counts")
    public TemplateInstance counts() {
        return Templates.fleet$counts(instances.counts(console.caller().scope()));
    }

    /** The table and its paging, as the page shows them for these filters (400 with the JSON error body if wrong). */
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("fleet/list")
    public TemplateInstance list(@BeanParam FleetFilter filter) {
        filter.check();
        return Templates.fleet$list(console.chrome("fleet"), listing(filter));
    }

    private Listing listing(FleetFilter filter) {
        Page<Instance> page = instances.browse(console.caller().scope(), filter.query(), filter.after(),
                config.pageSize(), COUNT_CAP);
        List<Row> rows = page.items().stream().map(FleetPage::row).toList();
        String self = LIST_PATH + "?" + filter.queryString(filter.cursor());
        String next = page.next() == null ? null : "/console/?" + filter.queryString(page.next());
        String first = filter.cursor() == null ? null : "/console/?" + filter.queryString(null);
        return new Listing(rows, total(page.total()), self, next, first);
    }

    /** "1 instance", "60 instances", "more than 10,000 instances". */
    static String total(long n) {
        if (n > COUNT_CAP) {
            return String.format(Locale.ROOT, "more than %,d instances", COUNT_CAP);
        }
        return String.format(Locale.ROOT, "%,d %s", n, n == 1 ? "instance" : "instances");
    }

    static Row row(Instance i) {
        String state = i.status == InstanceStatus.OFFLINE && i.lastSeenAt == null ? "never_seen" : i.status.wire();
        Map<String, Object> metrics = i.latestMetrics == null ? Map.of() : i.latestMetrics;
        return new Row(i.id, i.name, List.copyOf(i.tags), state, i.version,
                i.lastSeenAt == null ? null : i.lastSeenAt.toEpochMilli(), percent(metrics.get(CPU)),
                percent(metrics.get(MEMORY)), percent(metrics.get(DISK)));
    }

    /** A percentage as the table shows it: a JSON number, rounded; anything else is "-". */
    static String percent(Object value) {
        if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
            return String.format(Locale.ROOT, "%.0f %%", n.doubleValue());
        }
        return "-";
    }

    /** The error as the page says it: "q is at most 200 characters; status must be one of ...". */
    private static String problem(ApiException e) {
        return e.toError().violations().stream().map(v -> v.field() + " " + v.message())
                .collect(Collectors.joining("; "));
    }
}
