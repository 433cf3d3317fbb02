package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.api.SqlType;
import io.dih.server.region.ColumnValues;
import io.dih.server.region.Region;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.ignite.binary.BinaryObject;

/**
 * A condition one column of a row must meet after an operation ({@code "require": {"balance": {"min": 0}}}):
 * {@code min} and {@code max} (inclusive, for any ordered type: numbers, dates, text) and {@code equals} (a JSON null
 * means the column must be null). A row that is not there (deleted, never existed) meets no guard.
 */
record RowGuard(String column, String condition, Object bound) {
    private static final List<String> CONDITIONS = List.of("min", "max", "equals");

    RowGuard {
        requireNonNull(column, "column is null");
        requireNonNull(condition, "condition is null");
    }

    /** The guards of one operation's {@code require} object; {@code path} names it in errors. */
    static List<RowGuard> parse(Region region, JsonNode require, String path) {
        List<RowGuard> out = new ArrayList<>();
        if (require == null || require.isNull()) {
            return out;
        }
        if (!require.isObject()) {
            throw new InvalidSpecException(path, "must be an object of column conditions, e.g. {\"balance\": {\"min\": 0}}");
        }
        List<FieldError> errors = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> cols = require.fields();
        while (cols.hasNext()) {
            Map.Entry<String, JsonNode> c = cols.next();
            String colPath = path + "." + c.getKey();
            SqlType type = region.columns().get(c.getKey());
            if (type == null) {
                errors.add(new FieldError(colPath, "is not a column of region '" + region.name() + "'; its columns are "
                        + region.columns().keySet()));
                continue;
            }
            if (!c.getValue().isObject() || c.getValue().isEmpty()) {
                errors.add(new FieldError(colPath, "must be an object of conditions: " + CONDITIONS));
                continue;
            }
            Iterator<Map.Entry<String, JsonNode>> conds = c.getValue().fields();
            while (conds.hasNext()) {
                Map.Entry<String, JsonNode> cond = conds.next();
                String condPath = colPath + "." + cond.getKey();
                if (!CONDITIONS.contains(cond.getKey())) {
                    errors.add(new FieldError(condPath, "is not a condition; use " + CONDITIONS));
                    continue;
                }
                try {
                    Object bound = ColumnValues.convert(condPath, type, cond.getValue());
                    if (bound == null && !cond.getKey().equals("equals")) {
                        errors.add(new FieldError(condPath, "must be a " + type + " value, not null"));
                    } else if (bound != null && !cond.getKey().equals("equals") && !(bound instanceof Comparable)) {
                        errors.add(new FieldError(condPath, "a " + type + " column has no order; use equals"));
                    } else {
                        out.add(new RowGuard(c.getKey(), cond.getKey(), bound));
                    }
                } catch (InvalidSpecException e) {
                    errors.addAll(e.errors());
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return out;
    }

    /** Why the row ({@code value} under {@code key}; {@code null}: no row) fails this guard, or {@code null} if it passes. */
    String failure(Region region, Object key, Object value) {
        String what = "require " + column + " " + condition + " " + ColumnValues.toJson(bound);
        if (value == null) {
            return what + " failed: the row does not exist";
        }
        Object actual = columnValue(region, key, value);
        boolean ok = switch (condition) {
            case "equals" -> bound == null ? actual == null : actual != null && compare(actual, bound) == 0;
            case "min" -> actual != null && compare(actual, bound) >= 0;
            case "max" -> actual != null && compare(actual, bound) <= 0;
            default -> throw new IllegalStateException(condition);
        };
        return ok ? null : what + " failed: " + column + " would be " + ColumnValues.toJson(actual);
    }

    private Object columnValue(Region region, Object key, Object value) {
        if (region.spec().keyFields().contains(column)) {
            return region.spec().simpleKey() ? key : ((BinaryObject) key).field(column);
        }
        return value instanceof BinaryObject bo ? bo.field(column) : null;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y);
        }
        if (a instanceof Comparable ca && a.getClass() == b.getClass()) {
            return ca.compareTo(b);
        }
        return a.equals(b) ? 0 : a.toString().compareTo(b.toString());
    }
}
