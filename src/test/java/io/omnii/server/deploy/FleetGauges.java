package io.omnii.server.deploy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gauges every replica computes for the whole fleet (from PostgreSQL, or from the one Matter Server): each replica
 * reports the same count, so adding them up over replicas multiplies it by the number of replicas. The first
 * aggregation a query applies to one of them must pick one replica's view (max or min).
 */
public final class FleetGauges {

    public static final Set<String> NAMES = Set.of("omnii_instances", "omnii_matter_nodes");

    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile");
    private static final Set<String> ONE_REPLICAS_VIEW = Set.of("max", "min");
    private static final Pattern TOKEN = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*|\"(?:[^\"\\\\]|\\\\.)*\"|[()]");

    private FleetGauges() {
    }

    /**
     * The places in a PromQL expression where a fleet-wide gauge is first aggregated by something other than max or
     * min (e.g. {@code sum by (state) (omnii_instances)}), as "aggregation(gauge)"; empty when there is none.
     */
    public static List<String> summedOverReplicas(String promql) {
        List<String> found = new ArrayList<>();
        // One entry per open parenthesis: the aggregation it holds the argument of, or "" for any other parenthesis.
        Deque<String> open = new ArrayDeque<>();
        String aggregation = "";
        boolean grouping = false;
        String previous = "";
        Matcher token = TOKEN.matcher(promql);
        while (token.find()) {
            String t = token.group();
            if (grouping) {
                // The label list of "by (...)" or "without (...)": the argument's parenthesis comes after it.
                grouping = !t.equals(")");
                continue;
            }
            if (t.equals("(") && (previous.equals("by") || previous.equals("without"))) {
                grouping = true;
            } else if (t.equals("(")) {
                open.push(aggregation);
                aggregation = "";
            } else if (t.equals(")")) {
                open.poll();
            } else if (NAMES.contains(t)) {
                String first = open.stream().filter(a -> !a.isEmpty()).findFirst().orElse("");
                if (!first.isEmpty() && !ONE_REPLICAS_VIEW.contains(first)) {
                    found.add(first + "(" + t + ")");
                }
            }
            if (AGGREGATIONS.contains(t)) {
                aggregation = t;
            } else if (!t.equals("by") && !t.equals("without") && !t.equals("(")) {
                aggregation = "";
            }
            previous = t;
        }
        return found;
    }
}
