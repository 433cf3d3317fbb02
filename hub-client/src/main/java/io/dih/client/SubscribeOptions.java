package io.dih.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * What a {@link HubClient#subscribe subscription} asks for. Immutable: start from {@link #defaults()} and derive with
 * the {@code with…} methods.
 *
 * <pre>{@code
 * SubscribeOptions o = SubscribeOptions.defaults().withFilter("price > 10 AND name <> 'x'").withColumns(List.of("price"))
 *         .withSnapshot(true);
 * }</pre>
 *
 * @param filter   a predicate over the region's columns ({@code = <> < <= > >= IN, IS NULL, AND, OR, NOT}), or
 *                 {@code null} for every row; a row that stops matching arrives as a DELETE
 * @param columns  the columns to send (key columns always come), or {@code null}/empty for all
 * @param snapshot whether the rows that match now come first (as snapshot PUTs, then
 *                 {@link SubscriptionListener#onSnapshotEnd})
 * @param from     a position to resume after (from an earlier {@link ChangeEvent#position()} or
 *                 {@link Subscription#position()}), or {@code null} for "from now"
 * @param ops      the kinds of change to receive; {@code null} or empty for both
 */
public record SubscribeOptions(String filter, List<String> columns, boolean snapshot, String from, Set<ChangeEvent.Op> ops) {
    private static final SubscribeOptions DEFAULTS = new SubscribeOptions(null, null, false, null, null);

    public SubscribeOptions {
        columns = columns == null ? null : List.copyOf(columns);
        ops = ops == null || ops.isEmpty() ? null : Set.copyOf(EnumSet.copyOf(ops));
    }

    /** Every row and column, both operations, no snapshot, from now. */
    public static SubscribeOptions defaults() {
        return DEFAULTS;
    }

    /** These options with a row filter ({@code null}: every row). */
    public SubscribeOptions withFilter(String filter) {
        return new SubscribeOptions(filter, columns, snapshot, from, ops);
    }

    /** These options with a projection ({@code null}: every column). */
    public SubscribeOptions withColumns(List<String> columns) {
        return new SubscribeOptions(filter, columns, snapshot, from, ops);
    }

    /** These options with or without the initial snapshot. */
    public SubscribeOptions withSnapshot(boolean snapshot) {
        return new SubscribeOptions(filter, columns, snapshot, from, ops);
    }

    /** These options resuming after {@code position} ({@code null}: from now). */
    public SubscribeOptions withFrom(String position) {
        return new SubscribeOptions(filter, columns, snapshot, position, ops);
    }

    /** These options with the kinds of change to receive (none given: both). */
    public SubscribeOptions withOps(ChangeEvent.Op... ops) {
        return new SubscribeOptions(filter, columns, snapshot, from, ops.length == 0 ? null : EnumSet.copyOf(List.of(ops)));
    }

    /** The WebSocket query string ({@code ?filter=…&from=…}, or empty) for these options. */
    String query() {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        if (filter != null && !filter.isBlank()) {
            q.add("filter=" + enc(filter));
        }
        if (columns != null && !columns.isEmpty()) {
            q.add("columns=" + enc(String.join(",", columns)));
        }
        if (snapshot) {
            q.add("snapshot=true");
        }
        if (from != null && !from.isBlank()) {
            q.add("from=" + enc(from));
        }
        if (ops != null) {
            StringJoiner o = new StringJoiner(",");
            EnumSet.copyOf(ops).forEach(op -> o.add(op.name().toLowerCase(Locale.ROOT)));
            q.add("ops=" + enc(o.toString()));
        }
        return q.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
