package io.omnii.server.fleet;

import io.omnii.server.common.Page;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import java.util.Optional;

/** The query parameters of GET /instances: paging (by number or by cursor) and the filters. */
@CursorPaging
public class InstanceListParams extends Page.Params {

    @QueryParam("cursor")
    String cursor;

    @QueryParam("status")
    @Pattern(regexp = "online|offline|error|decommissioned", message = "must be online, offline, error or decommissioned")
    String status;

    @QueryParam("name")
    String name;

    @QueryParam("tag")
    @Size(max = InstanceRules.MAX_TAGS, message = InstanceRules.TOO_MANY_TAGS)
    List<String> tag;

    Optional<String> cursorText() {
        return Optional.ofNullable(cursor).filter(c -> !c.isBlank());
    }

    /** Where the page starts, when a cursor names it. */
    Optional<InstanceCursor> after() {
        return cursorText().flatMap(InstanceCursor::decode);
    }

    boolean pageGiven() {
        return page != null && !page.isBlank();
    }

    InstanceQuery query() {
        return new InstanceQuery(Optional.ofNullable(status).flatMap(InstanceStatus::fromWire),
                Optional.ofNullable(name).filter(n -> !n.isBlank()), tag == null ? List.of() : tag);
    }
}
