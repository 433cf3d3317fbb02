package io.dih.server.source;

import io.dih.api.BindingSpec;
import io.dih.server.region.Region;
import io.dih.server.transform.Pipeline;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.SourceTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A binding's transforms in its plan: compiled against what the binding reads, and the columns they give. */
final class Transforms {
    private Transforms() {
    }

    /**
     * The binding's transforms compiled against the columns its connector describes ({@link Pipeline#none()} without
     * any); {@code null} after adding the problems to {@code errors} (fields prefixed {@code bindings.<region>.}).
     */
    static Pipeline compile(BindingSpec binding, SourceTable table, String prefix, List<FieldError> errors) {
        List<Object> steps = binding.transforms();
        if (steps == null || steps.isEmpty()) {
            return Pipeline.none();
        }
        Pipeline p;
        try {
            p = table.schemaless() ? Pipeline.compileSchemaless(steps) : Pipeline.compile(steps, table.columns());
        } catch (InvalidSpecException e) {
            e.errors().forEach(fe -> errors.add(new FieldError(prefix + fe.field(), fe.message())));
            return null;
        }
        if (!table.schemaless()) {
            List<String> key = binding.keyColumns() != null ? binding.keyColumns() : table.primaryKey();
            for (String k : key) {
                if (!p.outputColumns().containsKey(k)) {
                    errors.add(new FieldError(prefix + "transforms", "the transforms drop or rename key column '" + k
                            + "': the key reaches the region as the source has it (map it to another region column with mapping)"));
                    return null;
                }
            }
        }
        return p;
    }

    /** What the binding reads as its transforms give it: their output columns (a schemaless table stays so). */
    static SourceTable transformed(SourceTable table, Pipeline p) {
        if (p.isEmpty() || table.schemaless()) {
            return table;
        }
        return new SourceTable(table.name(), p.outputColumns(), table.primaryKey());
    }

    /**
     * A plan whose transforms flatten JSON objects: region columns named with a flatten prefix take the flattened field
     * of their name (its keys are known only per row, so the region declares the ones it wants).
     */
    static Plan flattened(Plan plan, Region region, BindingSpec binding) {
        List<String> prefixes = plan.transforms().flattenPrefixes();
        if (prefixes.isEmpty()) {
            return plan;
        }
        Map<String, String> map = new LinkedHashMap<>(plan.columnMap());
        for (String col : region.columns().keySet()) {
            String src = binding.sourceColumn(col);
            if (!map.containsKey(col) && prefixes.stream().anyMatch(src::startsWith)) {
                map.put(col, src);
            }
        }
        return new Plan(plan.table(), map, plan.newColumns(), plan.aggregate(), plan.transforms());
    }
}
