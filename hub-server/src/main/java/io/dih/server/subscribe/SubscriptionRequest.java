package io.dih.server.subscribe;

import io.dih.server.region.Region;
import io.dih.spi.InvalidSpecException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What a subscriber asked for, parsed and checked against the region before anything is sent: {@code filter} (a
 * predicate over the region's columns, see {@link RowFilter}), {@code columns} (a projection; key columns always
 * come), {@code snapshot=true} (the matching rows first), {@code from=<position>} (resume after it) and
 * {@code ops=put,delete}. Any other parameter is refused, so a misspelt one is not silently ignored.
 */
record SubscriptionRequest(RowFilter filter, RowProjection projection, boolean snapshot, Position from, Set<Op> ops) {
    /** The kinds of change a subscriber can ask for. */
    enum Op { PUT, DELETE }

    static final Set<String> PARAMETERS = Set.of("filter", "columns", "snapshot", "from", "ops");

    /**
     * @param params    the request's query parameters (name → first value)
     * @param resumeAt  a position from elsewhere (SSE's {@code Last-Event-ID}), used when {@code from} is absent
     */
    static SubscriptionRequest parse(Region region, Map<String, String> params, String resumeAt) {
        for (String name : params.keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw new InvalidSpecException(name, "is not a subscription parameter; use " + String.join(", ", PARAMETERS.stream().sorted().toList()));
            }
        }
        Function<String, String> p = name -> {
            String v = params.get(name);
            return v == null || v.isBlank() ? null : v;
        };
        RowFilter filter = p.apply("filter") == null ? RowFilter.ALL : RowFilter.parse(p.apply("filter"), region.columns());
        RowProjection projection = p.apply("columns") == null ? RowProjection.ALL
                : RowProjection.parse(p.apply("columns"), region.columns(), region.spec().keyFields());
        boolean snapshot = bool("snapshot", p.apply("snapshot"));
        Position from = null;
        if (p.apply("from") != null) {
            from = Position.parse("from", p.apply("from"));
        } else if (resumeAt != null && !resumeAt.isBlank()) {
            from = Position.parse("Last-Event-ID", resumeAt);
        }
        Set<Op> ops = EnumSet.allOf(Op.class);
        if (p.apply("ops") != null) {
            ops = EnumSet.noneOf(Op.class);
            for (String part : p.apply("ops").split(",")) {
                String o = part.trim().toUpperCase(Locale.ROOT);
                try {
                    ops.add(Op.valueOf(o));
                } catch (IllegalArgumentException e) {
                    throw new InvalidSpecException("ops", "'" + part.trim() + "' is not an operation; use put, delete or both (put,delete)");
                }
            }
        }
        return new SubscriptionRequest(filter, projection, snapshot, from, ops);
    }

    private static boolean bool(String field, String v) {
        if (v == null) {
            return false;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new InvalidSpecException(field, "must be true or false, was '" + v + "'");
        };
    }
}
