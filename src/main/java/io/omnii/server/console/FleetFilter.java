package io.omnii.server.console;

import io.omnii.server.common.ApiError;
import io.omnii.server.common.ApiException;
import io.omnii.server.fleet.InstanceCursor;
import io.omnii.server.fleet.InstanceQuery;
import io.omnii.server.fleet.InstanceRules;
import io.omnii.server.fleet.InstanceStatus;
import io.omnii.server.fleet.Tag;
import jakarta.ws.rs.QueryParam;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fleet page's GET form (a bookmarkable URL): search by name ({@code q}), a state ({@code status}, the page's
 * five, "never-seen" among them), tags ({@code tag}, each must match) and where the page starts ({@code cursor}).
 */
public class FleetFilter {

    /** The page's states and what each asks of the listing; "offline" leaves out the never seen. */
    static final Map<String, InstanceQuery> STATES = Map.of(
            "online", query(InstanceStatus.ONLINE, null),
            "offline", query(InstanceStatus.OFFLINE, true),
            "error", query(InstanceStatus.ERROR, null),
            "never-seen", query(InstanceStatus.OFFLINE, false),
            "decommissioned", query(InstanceStatus.DECOMMISSIONED, null));



    @QueryParam("q")
    String q;

    @QueryParam("status")
    String status;

    @QueryParam("tag")
    List<String> tag;

    @QueryParam("cursor")
    String cursor;

    private static InstanceQuery query(InstanceStatus status, Boolean everSeen) {
        return new InstanceQuery(Optional.of(status), Optional.empty(), List.of(), Optional.ofNullable(everSeen));
    }

    public String name() {
        return q == null ? "" : q.strip();
    }

    public String state() {
        return status == null ? "" : status;
    }

    /** Each {@code tag} parameter may hold several, space-separated: the form has one field for them. */
    public List<String> tags() {
        return tag == null ? List.of() : tag.stream().flatMap(t -> Arrays.stream(t.strip().split("\\s+")))
                .filter(t -> !t.isEmpty()).distinct().toList();
    }

    /** The tags as typed in the form's one field, space-separated. */
    public String tagText() {
        return String.join(" ", tags());
    }

    public boolean filtered() {
        return !name().isEmpty() || !state().isEmpty() || !tags().isEmpty();
    }

    /** Refuses what no listing could answer (400 validation_failed, naming each field). */
    void check() {
        List<ApiError.Violation> wrong = new ArrayList<>();
        // NUL never gets here: common.NulGuard refuses it in any query parameter before the page is matched.
        if (name().length() > InstanceRules.MAX_NAME_LENGTH) {
            wrong.add(new ApiError.Violation("q", "is at most " + InstanceRules.MAX_NAME_LENGTH + " characters"));
        }
        if (!state().isEmpty() && !STATES.containsKey(state())) {
            wrong.add(new ApiError.Violation("status", "must be one of " + String.join(", ", STATES.keySet())));
        }
        Tag.Validator tagRule = new Tag.Validator();
        if (tags().size() > InstanceRules.MAX_TAGS) {
            wrong.add(new ApiError.Violation("tag", "at most " + InstanceRules.MAX_TAGS + " tags"));
        } else if (!tags().stream().allMatch(t -> tagRule.isValid(t, null))) {
            wrong.add(new ApiError.Violation("tag", Tag.RULE));
        }
        if (cursorText().isPresent() && after().isEmpty()) {
            wrong.add(new ApiError.Violation("cursor", "is not a cursor this page gave out"));
        }
        if (!wrong.isEmpty()) {
            throw ApiException.invalid(wrong);
        }
    }

    InstanceQuery query() {
        InstanceQuery byState = STATES.getOrDefault(state(),
                new InstanceQuery(Optional.empty(), Optional.empty(), List.of()));
        return new InstanceQuery(byState.status(), Optional.of(name()).filter(n -> !n.isEmpty()), tags(),
                byState.everSeen());
    }

    Optional<InstanceCursor> after() {
        return cursorText().flatMap(InstanceCursor::decode);
    }

    private Optional<String> cursorText() {
        return Optional.ofNullable(cursor).filter(c -> !c.isBlank());
    }

    /** The filters as a query string (without the cursor), then {@code &cursor=} when one is given. */
    String queryString(String cursorOrNull) {
        List<String> parts = new ArrayList<>();
        if (!name().isEmpty()) {
            parts.add("q=" + encode(name()));
        }
        if (!state().isEmpty()) {
            parts.add("status=" + encode(state()));
        }
        tags().forEach(t -> parts.add("tag=" + encode(t)));
        if (cursorOrNull != null) {
            parts.add("cursor=" + encode(cursorOrNull));
        }
        return String.join("&", parts);
    }

    /** The cursor this page starts at, or null on the first page. */
    String cursor() {
        return cursorText().orElse(null);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
