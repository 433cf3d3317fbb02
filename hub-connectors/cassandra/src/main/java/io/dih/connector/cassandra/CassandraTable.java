package io.dih.connector.cassandra;

import static java.util.Objects.requireNonNull;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.metadata.schema.ColumnMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import com.datastax.oss.driver.api.core.type.DataType;
import io.dih.api.SqlType;
import io.dih.spi.SourceTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A binding resolved against the cluster's schema: the table, its columns in schema order, its primary key (partition
 * key, then clustering columns), and the CQL of its statements. Identifiers come from the schema and are quoted by the
 * driver; values are always bind markers.
 */
final class CassandraTable {
    private final String keyspace;
    private final String name;
    private final String qualified;
    private final Map<String, DataType> columns;
    private final List<String> partitionKey;
    private final List<String> primaryKey;
    private final SourceTable sourceTable;

    CassandraTable(TableMetadata table) {
        requireNonNull(table, "table is null");
        this.keyspace = table.getKeyspace().asInternal();
        this.name = table.getName().asInternal();
        this.qualified = table.getKeyspace().asCql(true) + "." + table.getName().asCql(true);
        Map<String, DataType> cols = new LinkedHashMap<>();
        table.getPrimaryKey().forEach(c -> cols.put(c.getName().asInternal(), c.getType()));
        for (ColumnMetadata c : table.getColumns().values()) {
            cols.putIfAbsent(c.getName().asInternal(), c.getType());
        }
        this.columns = java.util.Collections.unmodifiableMap(cols);
        this.partitionKey = table.getPartitionKey().stream().map(c -> c.getName().asInternal()).toList();
        this.primaryKey = table.getPrimaryKey().stream().map(c -> c.getName().asInternal()).toList();
        Map<String, SqlType> sqlTypes = new LinkedHashMap<>();
        cols.forEach((c, t) -> sqlTypes.put(c, CassandraTypes.sqlType(t)));
        this.sourceTable = new SourceTable(keyspace + "." + name, sqlTypes, primaryKey);
    }

    String keyspace() {
        return keyspace;
    }

    String name() {
        return name;
    }

    /** {@code keyspace.table}, for messages. */
    String label() {
        return keyspace + "." + name;
    }

    Map<String, DataType> columns() {
        return columns;
    }

    List<String> partitionKey() {
        return partitionKey;
    }

    List<String> primaryKey() {
        return primaryKey;
    }

    boolean hasClusteringColumns() {
        return primaryKey.size() > partitionKey.size();
    }

    SourceTable sourceTable() {
        return sourceTable;
    }

    static String quote(String column) {
        return CqlIdentifier.fromInternal(column).asCql(true);
    }

    /** Every column, collections and UDTs through {@code toJson()}, in {@link #columns()} order. */
    private String selectList() {
        return columns.entrySet().stream()
                .map(e -> CassandraTypes.isJson(e.getValue()) ? "toJson(" + quote(e.getKey()) + ")" : quote(e.getKey()))
                .collect(Collectors.joining(", "));
    }

    private String marker(String column) {
        return CassandraTypes.isJson(columns.get(column)) ? "fromJson(?)" : "?";
    }

    private String keyCondition() {
        return primaryKey.stream().map(k -> quote(k) + " = " + marker(k)).collect(Collectors.joining(" AND "));
    }

    /** The row of a full primary key. */
    String selectByKey() {
        return "SELECT " + selectList() + " FROM " + qualified + " WHERE " + keyCondition();
    }

    /** Every row whose partition token is in {@code (?, ?]}. */
    String selectTokenRange() {
        String pk = partitionKey.stream().map(CassandraTable::quote).collect(Collectors.joining(", "));
        return "SELECT " + selectList() + " FROM " + qualified + " WHERE token(" + pk + ") > ? AND token(" + pk + ") <= ?";
    }

    /** Every row, for partitioners other than Murmur3. */
    String selectAll() {
        return "SELECT " + selectList() + " FROM " + qualified;
    }

    /** An upsert of the given columns (the primary key among them). */
    String insert(List<String> cols) {
        return "INSERT INTO " + qualified + " (" + cols.stream().map(CassandraTable::quote).collect(Collectors.joining(", ")) + ") VALUES ("
                + cols.stream().map(this::marker).collect(Collectors.joining(", ")) + ")";
    }

    /** A delete of the row with a full primary key. */
    String delete() {
        return "DELETE FROM " + qualified + " WHERE " + keyCondition();
    }
}
