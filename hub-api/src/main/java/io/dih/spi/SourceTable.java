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
 */
public record SourceTable(String name, Map<String, SqlType> columns, List<String> primaryKey) {
    public SourceTable {
        requireNonNull(name, "name is null");
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(columns, "columns is null")));
        primaryKey = List.copyOf(requireNonNull(primaryKey, "primaryKey is null"));
    }
}
