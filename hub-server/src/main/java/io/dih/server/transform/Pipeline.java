package io.dih.server.transform;

import static java.util.Objects.requireNonNull;

import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import io.dih.api.SqlType;
import io.dih.spi.InvalidSpecException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A binding's transforms, compiled once: checked against the columns it receives, applied to each row. Thread-safe.
 *
 * <p>Steps, in the order given (each sees the columns the previous ones left):
 * <ul>
 *   <li>{@code {"rename": {"old": "new", ...}}}: the old column must exist, the new must not.</li>
 *   <li>{@code {"cast": {"column": "SQLTYPE", ...}}}: a type name or alias ({@link SqlType#of}); the cast must make
 *       sense ({@link Casts}); a value that cannot be cast (text 'abc' to BIGINT) fails the row.</li>
 *   <li>{@code {"compute": {"column": "<expression>", ...}}}: a CEL expression over the columns; the column (new or
 *       replaced) gets the expression's type: int/uint → BIGINT, double → DOUBLE, string → VARCHAR, bool → BOOLEAN,
 *       bytes → BINARY, timestamp → TIMESTAMP. Any other type (dyn, list, map, duration, null) is refused with a 400
 *       asking for a conversion such as {@code string(...)} or {@code int(...)}.</li>
 *   <li>{@code {"filter": "<expression>"}}: must be bool; false or null drops the row ({@link Filtered}).</li>
 *   <li>{@code {"drop": ["column", ...]}}: the columns must exist.</li>
 *   <li>{@code {"default": {"column": value}}}: sets the value when the column is NULL or absent; a new column's type
 *       is the literal's (integer → BIGINT, fraction → DOUBLE, string → VARCHAR, boolean → BOOLEAN); for an existing
 *       column the literal must fit its type.</li>
 *   <li>{@code {"parse_json": "column"}}: a VARCHAR column of JSON text becomes a value later expressions navigate
 *       ({@code address.city}, {@code has(address.zip)}, {@code size(items)}); after the last step it is JSON text
 *       again. Invalid JSON fails the row.</li>
 *   <li>{@code {"flatten": {"column": "prefix_"}}}: a JSON object (text or parsed) becomes one column per key, named
 *       prefix + key, with JSON scalar values (Long, Double, String, Boolean; null → NULL; nested objects and arrays
 *       as JSON text); the source column goes. The keys are known only per row ({@link #flattenPrefixes()}), so later
 *       steps cannot name them; a key that would overwrite an existing column fails the row.</li>
 * </ul>
 * Expressions: see {@link Expressions} (language, limits) and {@link CelValues} (types and NULL rules: a NULL column
 * is CEL's {@code null}; {@code col == null} tests it; using it in arithmetic or a function fails the row).
 * A row that fails at run time is {@link Failed} with the 0-based step index and the error; {@link #apply} never throws
 * for data problems.
 */
public final class Pipeline {
    private static final Pipeline NONE = new Pipeline(List.of(), new int[0], Map.of(), List.of(), List.of(), false,
            true);

    private final List<Steps.Step> steps;
    private final int[] stepIndexes;
    private final Map<String, SqlType> outputColumns;
    private final List<String> flattenPrefixes;
    private final List<String> jsonColumns;
    private final boolean filters;
    private final boolean schemaless;

    private Pipeline(List<Steps.Step> steps, int[] stepIndexes, Map<String, SqlType> outputColumns,
            List<String> flattenPrefixes, List<String> jsonColumns, boolean filters, boolean schemaless) {
        this.steps = List.copyOf(steps);
        this.stepIndexes = stepIndexes;
        this.outputColumns = Collections.unmodifiableMap(new LinkedHashMap<>(outputColumns));
        this.flattenPrefixes = List.copyOf(flattenPrefixes);
        this.jsonColumns = List.copyOf(jsonColumns);
        this.filters = filters;
        this.schemaless = schemaless;
    }

    /** No steps: rows pass unchanged. */
    public static Pipeline none() {
        return NONE;
    }

    /**
     * Parses and checks the binding's "transforms" value as Jackson gives it (a List of Maps/Strings/Lists) against
     * the columns it receives (name -> SqlType, in order). Throws InvalidSpecException with one FieldError per
     * problem, each field named "transforms[<i>]" or "transforms[<i>].<column>", message naming the problem.
     */
    public static Pipeline compile(Object transforms, Map<String, SqlType> input) {
        requireNonNull(input, "input is null");
        if (transforms == null) {
            return new Pipeline(List.of(), new int[0], input, List.of(), List.of(), false, false);
        }
        return build(new PipelineCompiler(input, false), transforms, false);
    }

    /**
     * For schemaless inputs (JSON messages of a stream: no declared columns): every column an expression or step
     * names is taken as it comes (CEL dyn); output columns are then those the steps name (computed, defaulted, cast,
     * renamed-to when its type is known, parsed JSON as VARCHAR) — the rest pass through unchanged. Renames, drops
     * and flattens of columns a row does not have do nothing.
     */
    public static Pipeline compileSchemaless(Object transforms) {
        if (transforms == null) {
            return NONE;
        }
        return build(new PipelineCompiler(Map.of(), true), transforms, true);
    }

    private static Pipeline build(PipelineCompiler compiler, Object transforms, boolean schemaless) {
        compiler.compile(transforms);
        if (!compiler.errors.isEmpty()) {
            throw new InvalidSpecException(compiler.errors);
        }
        int[] indexes = compiler.stepIndexes.stream().mapToInt(Integer::intValue).toArray();
        return new Pipeline(compiler.steps, indexes, compiler.outputColumns(), compiler.flattenPrefixes,
                compiler.jsonColumns(), compiler.filters, schemaless);
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** Whether a filter step exists (an update that stops matching removes the row downstream). */
    public boolean filters() {
        return filters;
    }

    /** The columns of the rows it produces and their types, in order (schemaless: only the ones the steps decide). */
    public Map<String, SqlType> outputColumns() {
        return outputColumns;
    }

    /** Prefixes whose columns come from flatten steps (their names are known only per row), in order. */
    public List<String> flattenPrefixes() {
        return flattenPrefixes;
    }

    /**
     * Applies the steps to one row (column -> Java value of its SqlType: Long/Integer/.., BigDecimal, String,
     * java.sql.Timestamp/Date/Time, byte[], UUID, Boolean; null = NULL). Never throws for data problems. The input
     * map is not changed. With no steps the row given is returned as it is; otherwise a new map: with declared
     * columns, {@link #outputColumns()} in order (an absent input column is NULL, an undeclared one is left out), then
     * the flattened columns; schemaless, the row's columns as changed by the steps.
     */
    public Outcome apply(Map<String, Object> row) {
        if (steps.isEmpty()) {
            return new Row(row);
        }
        Steps.Working working = new Steps.Working(new LinkedHashMap<>(row));
        for (int i = 0; i < steps.size(); i++) {
            try {
                if (!steps.get(i).apply(working)) {
                    return new Filtered();
                }
            } catch (CelEvaluationException | RuntimeException | StackOverflowError e) {
                return new Failed(stepIndexes[i], message(e));
            } catch (Exception e) {
                return new Failed(stepIndexes[i], message(e));
            }
        }
        try {
            return new Row(finish(working));
        } catch (RuntimeException | StackOverflowError e) {
            return new Failed(stepIndexes[steps.size() - 1], message(e));
        }
    }

    private Map<String, Object> finish(Steps.Working working) {
        LinkedHashMap<String, Object> values = working.values;
        for (String c : jsonColumns) {
            Object v = values.get(c);
            if (v != null) {
                values.put(c, v instanceof NullValue ? null : JsonValues.write(v));
            }
        }
        if (schemaless) {
            return values;
        }
        Map<String, Object> out = new LinkedHashMap<>(
                (outputColumns.size() + (working.flattened == null ? 0 : working.flattened.size())) * 4 / 3 + 1);
        for (String c : outputColumns.keySet()) {
            out.put(c, values.get(c));
        }
        if (working.flattened != null) {
            for (String c : working.flattened) {
                out.put(c, values.get(c));
            }
        }
        return out;
    }

    private static String message(Throwable e) {
        if (e instanceof StackOverflowError) {
            return "the expression recursed too deeply";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** What became of one row. */
    public sealed interface Outcome permits Row, Filtered, Failed {
    }

    /** The transformed row: values of outputColumns' types (flattened: JSON scalar Java types). */
    public record Row(Map<String, Object> row) implements Outcome {
    }

    /** A filter said false (or null). */
    public record Filtered() implements Outcome {
    }

    /** The row failed at a step (0-based index in the binding's list) with this error; it goes to the dead letters. */
    public record Failed(int step, String error) implements Outcome {
    }
}
