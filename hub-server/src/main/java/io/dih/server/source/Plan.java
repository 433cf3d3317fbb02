package io.dih.server.source;

import static java.util.Objects.requireNonNull;

import io.dih.api.SqlType;
import io.dih.server.transform.Pipeline;
import io.dih.spi.SourceTable;
import java.util.Map;

/**
 * How one source binding feeds one region.
 *
 * @param table      what the binding reads, as its connector describes it, with the columns its transforms give
 * @param columnMap  region column to (transformed) source column (key columns first)
 * @param newColumns the (transformed) source's columns the region lacks, to be added to it (none for a schemaless source)
 * @param aggregate  the binding's tumbling windows, or {@code null}: rows go in as they come
 * @param transforms the binding's transforms, compiled: every source row goes through them first
 */
public record Plan(SourceTable table, Map<String, String> columnMap, Map<String, SqlType> newColumns, AggregateSpec aggregate,
                   Pipeline transforms) {
    public Plan {
        requireNonNull(transforms, "transforms is null");
    }

    /** A plan that puts rows in as they come. */
    public Plan(SourceTable table, Map<String, String> columnMap, Map<String, SqlType> newColumns) {
        this(table, columnMap, newColumns, null, Pipeline.none());
    }

    /** A plan without transforms. */
    public Plan(SourceTable table, Map<String, String> columnMap, Map<String, SqlType> newColumns, AggregateSpec aggregate) {
        this(table, columnMap, newColumns, aggregate, Pipeline.none());
    }

    /** This plan with the binding's transforms. */
    Plan withTransforms(Pipeline pipeline) {
        return new Plan(table, columnMap, newColumns, aggregate, pipeline);
    }

    /** Whether rows come without declared columns (JSON messages): fields the region lacks make a row a dead letter. */
    public boolean schemaless() {
        return table.schemaless();
    }
}
