package io.dih.server.source;

import io.dih.api.SqlType;
import io.dih.spi.SourceTable;
import java.util.Map;

/**
 * How one source binding feeds one region.
 *
 * @param table      what the binding reads, as its connector describes it
 * @param columnMap  region column to source column (key columns first)
 * @param newColumns the source's columns the region lacks, to be added to it (none for a schemaless source)
 * @param aggregate  the binding's tumbling windows, or {@code null}: rows go in as they come
 */
public record Plan(SourceTable table, Map<String, String> columnMap, Map<String, SqlType> newColumns, AggregateSpec aggregate) {
    /** A plan that puts rows in as they come. */
    public Plan(SourceTable table, Map<String, String> columnMap, Map<String, SqlType> newColumns) {
        this(table, columnMap, newColumns, null);
    }

    /** Whether rows come without declared columns (JSON messages): fields the region lacks make a row a dead letter. */
    public boolean schemaless() {
        return table.schemaless();
    }
}
