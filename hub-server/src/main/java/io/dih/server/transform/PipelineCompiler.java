package io.dih.server.transform;

import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.NullableType;
import dev.cel.common.types.SimpleType;
import io.dih.api.SqlType;
import io.dih.spi.FieldError;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a binding's "transforms" value into compiled steps, following the columns from step to step and collecting
 * one {@link FieldError} per problem. Used once per binding by {@link Pipeline}; not thread-safe.
 */
final class PipelineCompiler {
    static final List<String> STEP_NAMES =
            List.of("rename", "cast", "compute", "filter", "drop", "default", "flatten", "parse_json");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** A column between steps: its SQL type (null: unknown, schemaless) and whether it holds parsed JSON. */
    record Column(SqlType type, boolean json) {
    }

    private final boolean schemaless;
    private final LinkedHashMap<String, Column> columns = new LinkedHashMap<>();
    final List<Steps.Step> steps = new ArrayList<>();
    final List<Integer> stepIndexes = new ArrayList<>();
    final List<String> flattenPrefixes = new ArrayList<>();
    final List<FieldError> errors = new ArrayList<>();
    boolean filters;

    PipelineCompiler(Map<String, SqlType> input, boolean schemaless) {
        this.schemaless = schemaless;
        input.forEach((name, type) -> columns.put(name, new Column(type, false)));
    }

    /** The columns after the last step, parsed JSON as VARCHAR; schemaless: only those of known type. */
    Map<String, SqlType> outputColumns() {
        Map<String, SqlType> out = new LinkedHashMap<>();
        columns.forEach((name, c) -> {
            if (c.json()) {
                out.put(name, SqlType.VARCHAR);
            } else if (c.type() != null) {
                out.put(name, c.type());
            }
        });
        return out;
    }

    /** The columns holding parsed JSON after the last step (written back as text). */
    List<String> jsonColumns() {
        return columns.entrySet().stream().filter(e -> e.getValue().json()).map(Map.Entry::getKey).toList();
    }

    void compile(Object transforms) {
        if (transforms == null) {
            return;
        }
        if (!(transforms instanceof List<?> list)) {
            errors.add(new FieldError("transforms", "must be a list of steps, e.g. [{\"drop\": [\"col\"]}]"));
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String field = "transforms[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> step) || step.size() != 1) {
                errors.add(new FieldError(field, "a step is an object with exactly one key, one of " + STEP_NAMES));
                continue;
            }
            Map.Entry<?, ?> e = step.entrySet().iterator().next();
            String kind = String.valueOf(e.getKey());
            switch (kind) {
                case "rename" -> rename(field, e.getValue());
                case "cast" -> cast(field, e.getValue());
                case "compute" -> compute(field, e.getValue());
                case "filter" -> filter(field, e.getValue());
                case "drop" -> drop(field, e.getValue());
                case "default" -> defaults(field, e.getValue());
                case "flatten" -> flatten(field, e.getValue());
                case "parse_json" -> parseJson(field, e.getValue());
                default -> errors.add(new FieldError(field, "unknown step '" + kind + "'; use one of " + STEP_NAMES));
            }
            while (stepIndexes.size() < steps.size()) {
                stepIndexes.add(i);
            }
        }
    }

    private void rename(String field, Object spec) {
        for (Map.Entry<String, Object> e : pairs(field, spec, "rename", "{\"old\": \"new\"}").entrySet()) {
            String from = e.getKey();
            String f = field + "." + from;
            if (!(e.getValue() instanceof String to) || !NAME.matcher(to).matches()) {
                errors.add(new FieldError(f, "the new name must be a column name (letters, digits, _)"));
            } else if (!schemaless && !columns.containsKey(from)) {
                errors.add(unknown(f, from));
            } else if (columns.containsKey(to) && !to.equals(from)) {
                errors.add(new FieldError(f, "cannot rename '" + from + "' to '" + to + "': that column exists"));
            } else {
                Column c = columns.getOrDefault(from, new Column(null, false));
                LinkedHashMap<String, Column> renamed = new LinkedHashMap<>();
                columns.forEach((name, col) -> renamed.put(name.equals(from) ? to : name, col));
                if (!columns.containsKey(from)) {
                    renamed.put(to, c);
                }
                columns.clear();
                columns.putAll(renamed);
                steps.add(new Steps.Rename(from, to));
            }
        }
    }

    private void cast(String field, Object spec) {
        for (Map.Entry<String, Object> e : pairs(field, spec, "cast", "{\"column\": \"BIGINT\"}").entrySet()) {
            String name = e.getKey();
            String f = field + "." + name;
            Column c = columns.get(name);
            if (c == null && !schemaless) {
                errors.add(unknown(f, name));
                continue;
            }
            SqlType to;
            try {
                to = SqlType.of(e.getValue() instanceof String s ? s : null);
            } catch (IllegalArgumentException ex) {
                errors.add(new FieldError(f, ex.getMessage()));
                continue;
            }
            boolean json = c != null && c.json();
            if (json && to != SqlType.VARCHAR) {
                errors.add(new FieldError(f, "a parsed JSON column can only be cast to VARCHAR (its JSON text)"));
            } else if (c != null && !Casts.allowed(c.type(), to)) {
                errors.add(new FieldError(f, "cannot cast " + c.type() + " to " + to));
            } else {
                columns.put(name, new Column(to, false));
                steps.add(new Steps.Cast(name, to, json));
            }
        }
    }

    private void compute(String field, Object spec) {
        for (Map.Entry<String, Object> e : pairs(field, spec, "compute", "{\"column\": \"a + b\"}").entrySet()) {
            String name = e.getKey();
            String f = field + "." + name;
            if (!NAME.matcher(name).matches()) {
                errors.add(new FieldError(f, "a computed column's name must be letters, digits and _"));
                continue;
            }
            if (!(e.getValue() instanceof String source)) {
                errors.add(new FieldError(f, "the expression must be a string"));
                continue;
            }
            Optional<Expressions.Compiled> compiled = expression(f, source);
            if (compiled.isEmpty()) {
                columns.put(name, new Column(null, false));
                continue;
            }
            CelType type = compiled.get().resultType();
            Optional<SqlType> sql = CelValues.sqlType(type);
            if (sql.isEmpty()) {
                errors.add(new FieldError(f, "the expression's type is " + type.name() + ", which no column type "
                        + "holds; convert it, e.g. string(...), int(...), double(...), bool(...)"));
                columns.put(name, new Column(null, false));
                continue;
            }
            columns.put(name, new Column(sql.get(), false));
            steps.add(new Steps.Compute(name, compiled.get(), sql.get()));
        }
    }

    private void filter(String field, Object spec) {
        if (!(spec instanceof String source)) {
            errors.add(new FieldError(field, "filter takes an expression string, e.g. \"age >= 18\""));
            return;
        }
        expression(field, source).ifPresent(c -> {
            CelType t = c.resultType() instanceof NullableType n ? n.targetType() : c.resultType();
            if (t.kind() != CelKind.BOOL) {
                errors.add(new FieldError(field, "a filter must be a bool expression; this one is "
                        + c.resultType().name()));
            } else {
                filters = true;
                steps.add(new Steps.Filter(c));
            }
        });
    }

    private void drop(String field, Object spec) {
        List<?> names = spec instanceof String s ? List.of(s) : spec instanceof List<?> l ? l : null;
        if (names == null || names.isEmpty()) {
            errors.add(new FieldError(field, "drop takes a list of column names, e.g. [\"password\"]"));
            return;
        }
        List<String> dropped = new ArrayList<>();
        for (Object o : names) {
            String name = String.valueOf(o);
            if (!schemaless && !columns.containsKey(name)) {
                errors.add(unknown(field + "." + name, name));
            } else {
                columns.remove(name);
                dropped.add(name);
            }
        }
        steps.add(new Steps.Drop(List.copyOf(dropped)));
    }

    private void defaults(String field, Object spec) {
        for (Map.Entry<String, Object> e : pairs(field, spec, "default", "{\"column\": 0}").entrySet()) {
            String name = e.getKey();
            String f = field + "." + name;
            Object literal = e.getValue();
            Column c = columns.get(name);
            if (c != null && c.json()) {
                errors.add(new FieldError(f, "a parsed JSON column takes no default"));
            } else if (c != null && c.type() != null) {
                try {
                    steps.add(new Steps.Default(name, Casts.cast(literal(f, literal, true), c.type())));
                } catch (IllegalArgumentException ex) {
                    errors.add(new FieldError(f, "the default " + literal + " does not fit " + c.type() + ": "
                            + ex.getMessage()));
                }
            } else if (!NAME.matcher(name).matches()) {
                errors.add(new FieldError(f, "a new column's name must be letters, digits and _"));
            } else {
                Object value = literal(f, literal, false);
                if (value != null) {
                    SqlType type = value instanceof Long ? SqlType.BIGINT : value instanceof Double ? SqlType.DOUBLE
                            : value instanceof Boolean ? SqlType.BOOLEAN : SqlType.VARCHAR;
                    columns.put(name, new Column(type, false));
                    steps.add(new Steps.Default(name, value));
                }
            }
        }
    }

    /** A JSON literal as Long, Double, String or Boolean; null (with an error unless quiet) for anything else. */
    private Object literal(String f, Object literal, boolean quiet) {
        if (literal instanceof Integer || literal instanceof Long || literal instanceof Short) {
            return ((Number) literal).longValue();
        }
        if (literal instanceof BigInteger b) {
            return b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
        }
        if (literal instanceof BigDecimal || literal instanceof Double || literal instanceof Float) {
            return ((Number) literal).doubleValue();
        }
        if (literal instanceof String || literal instanceof Boolean) {
            return literal;
        }
        if (quiet) {
            throw new IllegalArgumentException("a default is a number, a string or a boolean");
        }
        errors.add(new FieldError(f, "a default is a number, a string or a boolean"));
        return null;
    }

    private void flatten(String field, Object spec) {
        for (Map.Entry<String, Object> e : pairs(field, spec, "flatten", "{\"column\": \"prefix_\"}").entrySet()) {
            String name = e.getKey();
            String f = field + "." + name;
            Column c = columns.get(name);
            if (c == null && !schemaless) {
                errors.add(unknown(f, name));
            } else if (c != null && !c.json() && c.type() != null && c.type() != SqlType.VARCHAR) {
                errors.add(new FieldError(f, "flatten takes a VARCHAR column of JSON text or a parsed JSON column; '"
                        + name + "' is " + c.type()));
            } else if (!(e.getValue() instanceof String prefix) || !(prefix.isEmpty() || NAME.matcher(prefix).matches())) {
                errors.add(new FieldError(f, "the prefix must be letters, digits and _ (it may be empty)"));
            } else {
                columns.remove(name);
                flattenPrefixes.add(prefix);
                steps.add(new Steps.Flatten(name, prefix));
            }
        }
    }

    private void parseJson(String field, Object spec) {
        if (!(spec instanceof String name)) {
            errors.add(new FieldError(field, "parse_json takes a column name"));
            return;
        }
        Column c = columns.get(name);
        String f = field + "." + name;
        if (c == null && !schemaless) {
            errors.add(unknown(f, name));
        } else if (c != null && c.json()) {
            errors.add(new FieldError(f, "'" + name + "' is already parsed"));
        } else if (c != null && c.type() != null && c.type() != SqlType.VARCHAR) {
            errors.add(new FieldError(f, "parse_json takes a VARCHAR column of JSON text; '" + name + "' is "
                    + c.type()));
        } else {
            columns.put(name, new Column(SqlType.VARCHAR, true));
            steps.add(new Steps.ParseJson(name));
        }
    }

    private Optional<Expressions.Compiled> expression(String field, String source) {
        Map<String, CelType> vars = new LinkedHashMap<>();
        columns.forEach((name, c) -> vars.put(name,
                c.json() || c.type() == null ? SimpleType.DYN : CelValues.celType(c.type())));
        try {
            return Optional.of(Expressions.compile(source, vars, schemaless));
        } catch (Expressions.InvalidExpression ex) {
            errors.add(new FieldError(field, "invalid expression: " + ex.getMessage()));
            return Optional.empty();
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> pairs(String field, Object spec, String kind, String example) {
        if (spec instanceof Map<?, ?> map && !map.isEmpty()) {
            return (Map<String, Object>) map;
        }
        errors.add(new FieldError(field, kind + " takes an object, e.g. " + example));
        return Map.of();
    }

    private FieldError unknown(String field, String name) {
        return new FieldError(field, "unknown column '" + name + "'; the columns here are " + columns.keySet());
    }
}
