package io.dih.server.source;

import io.dih.spi.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A binding's {@code aggregate}: tumbling windows of a stream. Each message falls in the window of its time
 * ({@code time_field}, else the message's own time) and its {@code group_by} values; the region gets one row per group
 * and window, keyed by the group columns and {@code window_start}, with {@code window_end} and one column per measure.
 *
 * <pre>{"window_seconds": 60, "group_by": ["sensor"], "time_field": "ts", "keep_seconds": 86400,
 *  "measures": {"readings": "count", "total": "sum(qty)", "avg_temp": "avg(temp)", "low": "min(temp)", "high": "max(temp)"}}</pre>
 *
 * @param keepMillis how long a window takes late messages (its state is kept that long; later ones are dead letters)
 */
public record AggregateSpec(long windowMillis, List<String> groupBy, String timeField, long keepMillis, List<Measure> measures) {
    public static final String WINDOW_START = "window_start";
    public static final String WINDOW_END = "window_end";
    private static final Pattern CALL = Pattern.compile("(?i)\\s*(count|sum|avg|min|max)\\s*(?:\\(\\s*([A-Za-z_][A-Za-z0-9_.]*|\\*)?\\s*\\))?\\s*");
    private static final Set<String> KEYS = Set.of("window_seconds", "group_by", "time_field", "keep_seconds", "measures");

    /** What a measure computes. */
    public enum Fn { COUNT, SUM, AVG, MIN, MAX }

    /** One output column: {@code fn} of a message field ({@code null} for count). */
    public record Measure(String column, Fn fn, String field) {
    }

    /** The binding's {@code aggregate} option as a spec, or {@code null} with the problems added (fields under {@code prefix}). */
    static AggregateSpec parse(Object option, String prefix, List<FieldError> errors) {
        if (!(option instanceof Map<?, ?> m)) {
            errors.add(new FieldError(prefix, "must be an object: {\"window_seconds\", \"group_by\", \"measures\"}"));
            return null;
        }
        int before = errors.size();
        m.keySet().forEach(k -> {
            if (!KEYS.contains(String.valueOf(k))) {
                errors.add(new FieldError(prefix + "." + k, "is not a key of aggregate (" + String.join(", ", KEYS) + ")"));
            }
        });
        long window = number(m.get("window_seconds"), prefix + ".window_seconds", 1, 31L * 24 * 3600, errors, -1);
        long keep = number(m.get("keep_seconds"), prefix + ".keep_seconds", 1, 366L * 24 * 3600, errors, 24 * 3600);
        List<String> groupBy = new ArrayList<>();
        if (m.get("group_by") instanceof List<?> l && !l.isEmpty()) {
            l.forEach(g -> groupBy.add(String.valueOf(g)));
        } else {
            errors.add(new FieldError(prefix + ".group_by", "must list the columns each window is kept per, e.g. [\"sensor\"]"));
        }
        Object tf = m.get("time_field");
        List<Measure> measures = new ArrayList<>();
        if (m.get("measures") instanceof Map<?, ?> ms && !ms.isEmpty()) {
            ms.forEach((col, expr) -> {
                Matcher call = CALL.matcher(String.valueOf(expr));
                if (!call.matches()) {
                    errors.add(new FieldError(prefix + ".measures." + col, "'" + expr + "' is not count, sum(field), avg(field), min(field) or max(field)"));
                    return;
                }
                Fn fn = Fn.valueOf(call.group(1).toUpperCase(Locale.ROOT));
                String field = call.group(2) == null || "*".equals(call.group(2)) ? null : call.group(2);
                if (fn != Fn.COUNT && field == null) {
                    errors.add(new FieldError(prefix + ".measures." + col, fn.name().toLowerCase(Locale.ROOT) + " needs a field: "
                            + fn.name().toLowerCase(Locale.ROOT) + "(qty)"));
                    return;
                }
                measures.add(new Measure(String.valueOf(col).toLowerCase(Locale.ROOT), fn, fn == Fn.COUNT ? null : field));
            });
        } else {
            errors.add(new FieldError(prefix + ".measures", "must name at least one output column, e.g. {\"readings\": \"count\", \"total\": \"sum(qty)\"}"));
        }
        if (errors.size() > before) {
            return null;
        }
        return new AggregateSpec(window * 1000, List.copyOf(groupBy), tf == null ? null : String.valueOf(tf), keep * 1000, List.copyOf(measures));
    }

    private static long number(Object v, String field, long min, long max, List<FieldError> errors, long dflt) {
        if (v == null && dflt >= 0) {
            return dflt;
        }
        if (v instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() >= min && n.longValue() <= max) {
            return n.longValue();
        }
        errors.add(new FieldError(field, "must be a whole number of seconds from " + min + " to " + max + (v == null ? "" : ", was " + v)));
        return 1;
    }
}
