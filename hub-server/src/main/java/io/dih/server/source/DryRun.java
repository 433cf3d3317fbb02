package io.dih.server.source;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.dih.api.BindingSpec;
import io.dih.api.SourceSpec;
import io.dih.api.SqlType;
import io.dih.server.region.ColumnValues;
import io.dih.server.transform.Pipeline;
import io.dih.spi.Capability;
import io.dih.spi.Connector;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dry run of {@code POST /data-sources/validate}: rows of each binding — the sample the request gives, or the
 * first rows read from the source — as its transforms make them, without storing anything.
 */
final class DryRun {
    /** Rows read from a source for a dry run when the request gives none. */
    static final int DEFAULT_SAMPLE = 10;
    static final int MAX_SAMPLE = 1000;

    private DryRun() {
    }

    /** One binding's dry run: the columns its rows have after the transforms, and each sample row's outcome. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Binding(@JsonProperty("columns") Map<String, SqlType> columns, @JsonProperty("rows") List<Outcome> rows,
                   @JsonProperty("note") String note) {
    }

    /** A sample row's outcome: the row as the region would get it, filtered out, or failed at a step. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Outcome(@JsonProperty("row") Map<String, JsonNode> row, @JsonProperty("filtered") Boolean filtered,
                   @JsonProperty("step") Integer step, @JsonProperty("error") String error) {
    }

    /** A sample: the rows the request gives (for every binding, or by region), and how many to read otherwise. */
    record Sample(Object rows, int size) {
        Sample {
            if (size < 1 || size > MAX_SAMPLE) {
                throw new InvalidSpecException("sample_size", "must be between 1 and " + MAX_SAMPLE + ", was " + size);
            }
        }

        /** The rows given for a region: {@code sample_rows} as a list, or its entry when it is an object by region. */
        List<Map<String, Object>> given(String region) {
            Object r = rows instanceof Map<?, ?> byRegion ? byRegion.get(region) : rows;
            if (r == null) {
                return null;
            }
            String field = rows instanceof Map<?, ?> ? "sample_rows." + region : "sample_rows";
            if (!(r instanceof List<?> list)) {
                throw new InvalidSpecException(field, "must be a list of rows (objects of column: value)");
            }
            List<Map<String, Object>> out = new ArrayList<>();
            for (Object row : list) {
                if (!(row instanceof Map<?, ?> m)) {
                    throw new InvalidSpecException(field, "must be a list of rows (objects of column: value)");
                }
                Map<String, Object> copy = new LinkedHashMap<>();
                m.forEach((k, v) -> copy.put(String.valueOf(k), v));
                out.add(copy);
            }
            return out;
        }
    }

    /** Each binding's dry run, by region. */
    static Map<String, Binding> run(SourceSpec spec, Connector connector, Map<String, Plan> plans, Sample sample) {
        Map<String, Binding> out = new LinkedHashMap<>();
        plans.forEach((region, plan) -> {
            List<Map<String, Object>> given = sample.given(region);
            String note = null;
            List<Map<String, Object>> rows;
            if (given != null) {
                rows = typed(plan.schemaless() ? Map.of() : connector.describe(spec.binding(region)).columns(), given, "sample_rows");
            } else if (connector.capabilities().contains(Capability.BULK_LOAD)) {
                rows = read(connector, spec.binding(region), sample.size());
            } else {
                rows = List.of();
                note = "this source is not read for a dry run (it has no loads): give sample_rows";
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Map<String, Object> row : rows) {
                outcomes.add(outcome(plan.transforms(), row));
            }
            Map<String, SqlType> columns = plan.table().schemaless() ? plan.transforms().outputColumns() : plan.table().columns();
            out.put(region, new Binding(columns, outcomes, note));
        });
        return out;
    }

    /** Given rows as the source would hand them: each value as its source column's type (schemaless: as given). */
    private static List<Map<String, Object>> typed(Map<String, SqlType> declared, List<Map<String, Object>> rows, String field) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            Map<String, Object> typed = new LinkedHashMap<>();
            row.forEach((col, v) -> {
                SqlType t = declared.get(col);
                typed.put(col, t == null || v == null ? v : ColumnValues.coerce(field + "." + col, t, v));
            });
            out.add(typed);
        }
        return out;
    }

    private static Outcome outcome(Pipeline p, Map<String, Object> row) {
        Pipeline.Outcome o = p.apply(row);
        if (o instanceof Pipeline.Filtered) {
            return new Outcome(null, true, null, null);
        }
        if (o instanceof Pipeline.Failed f) {
            return new Outcome(null, null, f.step(), f.error());
        }
        Map<String, JsonNode> json = new LinkedHashMap<>();
        ((Pipeline.Row) o).row().forEach((k, v) -> json.put(k, ColumnValues.toJson(v)));
        return new Outcome(json, null, null, null);
    }

    /** The first rows of a binding, read by a load that stops once it has them. */
    private static List<Map<String, Object>> read(Connector connector, BindingSpec binding, int n) {
        List<Map<String, Object>> rows = new ArrayList<>();
        try {
            connector.load(binding, null, row -> {
                rows.add(new LinkedHashMap<>(row));
                if (rows.size() >= n) {
                    throw new Enough();
                }
            });
        } catch (Enough done) {
            // the sample is complete
        }
        return rows;
    }

    /** Ends a sampling load early. */
    private static final class Enough extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Enough() {
            super(null, null, false, false);
        }
    }
}
