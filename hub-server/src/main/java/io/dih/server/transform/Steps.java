package io.dih.server.transform;

import static java.util.Objects.requireNonNull;

import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelVariableResolver;
import io.dih.api.SqlType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The compiled steps of a pipeline: each changes one row's working values in place. */
final class Steps {
    private Steps() {
    }

    /** A row on its way through the steps: its values by column, and the columns flatten steps added. */
    static final class Working implements CelVariableResolver {
        final LinkedHashMap<String, Object> values;
        List<String> flattened;

        Working(LinkedHashMap<String, Object> values) {
            this.values = values;
        }

        /** Columns as expression variables; a NULL or absent column is CEL's null. */
        @Override
        public Optional<Object> find(String name) {
            return Optional.of(CelValues.toCel(values.get(name)));
        }
    }

    /** One step; a data problem is an exception whose message becomes the dead letter's error. */
    interface Step {
        /** Changes the row; false when the row is filtered out. */
        boolean apply(Working row) throws Exception;
    }

    record Rename(String from, String to) implements Step {
        @Override
        public boolean apply(Working row) {
            if (row.values.containsKey(from)) {
                row.values.put(to, row.values.remove(from));
            }
            return true;
        }
    }

    record Cast(String column, SqlType to, boolean json) implements Step {
        @Override
        public boolean apply(Working row) {
            if (!row.values.containsKey(column)) {
                return true;
            }
            Object value = row.values.get(column);
            Object cast;
            if (json) {
                cast = value == null || value instanceof NullValue ? null : JsonValues.write(value);
            } else {
                try {
                    cast = Casts.cast(value, to);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("column '" + column + "': " + e.getMessage());
                }
            }
            row.values.put(column, cast);
            return true;
        }
    }

    record Compute(String column, Expressions.Compiled expression, SqlType type) implements Step {
        @Override
        public boolean apply(Working row) {
            Object result;
            try {
                result = expression.eval(row);
            } catch (CelEvaluationException | RuntimeException e) {
                throw new IllegalArgumentException("column '" + column + "': " + evaluationError(e), e);
            }
            row.values.put(column, CelValues.fromCel(result, type));
            return true;
        }
    }

    /** True keeps the row; false or null filters it out. */
    record Filter(Expressions.Compiled expression) implements Step {
        @Override
        public boolean apply(Working row) {
            try {
                return Boolean.TRUE.equals(expression.eval(row));
            } catch (CelEvaluationException | RuntimeException e) {
                throw new IllegalArgumentException("filter: " + evaluationError(e), e);
            }
        }
    }

    record Drop(List<String> columns) implements Step {
        @Override
        public boolean apply(Working row) {
            for (String c : columns) {
                row.values.remove(c);
            }
            return true;
        }
    }

    record Default(String column, Object value) implements Step {
        @Override
        public boolean apply(Working row) {
            Object current = row.values.get(column);
            if (current == null || current instanceof NullValue) {
                row.values.put(column, value);
            }
            return true;
        }
    }

    record ParseJson(String column) implements Step {
        @Override
        public boolean apply(Working row) {
            Object value = row.values.get(column);
            if (value instanceof String text) {
                try {
                    row.values.put(column, JsonValues.parse(text));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("column '" + column + "': " + e.getMessage());
                }
            } else if (value != null) {
                row.values.put(column, normalize(value));
            }
            return true;
        }
    }

    record Flatten(String column, String prefix) implements Step {
        Flatten {
            requireNonNull(prefix, "prefix is null");
        }

        @Override
        public boolean apply(Working row) {
            Object value = row.values.remove(column);
            if (value == null || value instanceof NullValue) {
                return true;
            }
            Object parsed;
            try {
                parsed = value instanceof String text ? JsonValues.parse(text) : normalize(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("column '" + column + "': " + e.getMessage());
            }
            if (!(parsed instanceof Map<?, ?> object)) {
                throw new IllegalArgumentException("column '" + column + "' is not a JSON object");
            }
            if (row.flattened == null) {
                row.flattened = new ArrayList<>(object.size());
            }
            for (Map.Entry<?, ?> e : object.entrySet()) {
                String name = prefix + e.getKey();
                if (row.values.containsKey(name)) {
                    throw new IllegalArgumentException("flattening '" + column + "' would overwrite column '"
                            + name + "'");
                }
                row.values.put(name, JsonValues.scalar(e.getValue()));
                row.flattened.add(name);
            }
            return true;
        }
    }

    /** An evaluation error for a dead letter; CEL's "no matching overload" is most often a NULL column used. */
    static String evaluationError(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.contains("No matching overload") ? m + " (is a column NULL? test it with col == null)" : m;
    }

    /** A JSON-like Java value (Maps, Lists, boxed numbers) as expressions see parsed JSON. */
    static Object normalize(Object value) {
        if (value == null || value instanceof NullValue) {
            return NullValue.NULL_VALUE;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), normalize(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(normalize(v)));
            return out;
        }
        if (value instanceof BigDecimal || value instanceof Float || value instanceof BigInteger) {
            return ((Number) value).doubleValue();
        }
        return CelValues.toCel(value);
    }
}
