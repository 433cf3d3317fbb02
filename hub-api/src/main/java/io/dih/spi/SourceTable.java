package io.dih.spi;

import static java.util.Objects.requireNonNull;

import io.dih.api.SqlType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of what a binding reads: its columns (in source order, typed as the hub's SQL types) and its key.
 *
 * @param name       the table (or query label) as the source names it
 * @param primaryKey the key columns; empty when the source declares none (then the binding must name them)
 * @param schemaless the source declares no columns ahead (JSON messages of a stream): each region column takes the
 *                   field of its name (or mapping), values are converted as they come, and a field the region lacks
 *                   makes the row a dead letter
 */
public record SourceTable(String name, Map<String, SqlType> columns, List<String> primaryKey, boolean schemaless) {
    /** A table with declared columns. */
    public SourceTable(String name, Map<String, SqlType> columns, List<String> primaryKey) {
        this(name, columns, primaryKey, false);
    }

    /** What a message stream feeds: no declared columns, the given key fields. */
    public static SourceTable schemaless(String name, List<String> keyFields) {
        return new SourceTable(name, Map.of(), keyFields, true);
    }

    public SourceTable {
        requireNonNull(name, "name is null");
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(columns, "columns is null")));
        primaryKey = List.copyOf(requireNonNull(primaryKey, "primaryKey is null"));
    }
}
