package io.dih.connector.cassandra;

import static java.util.Objects.requireNonNull;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import com.datastax.oss.driver.api.core.metadata.schema.TableMetadata;
import io.dih.api.BindingSpec;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves bindings against the driver's schema metadata: which keyspace and table a binding reads, and whether its
 * key columns, mapping and watermark name real columns. Every problem is an {@link InvalidSpecException} naming the
 * binding's field (or {@code connection_params.keyspace}) and the keyspace or table by name.
 */
final class CassandraSchema {
    /** The binding keys of the Cassandra family, besides the common ones. */
    static final Set<String> OPTIONS = Set.of("keyspace");

    private final CqlSession session;
    private final CassandraConnectorConfig config;

    CassandraSchema(CqlSession session, CassandraConnectorConfig config) {
        this.session = requireNonNull(session, "session is null");
        this.config = requireNonNull(config, "config is null");
    }

    /** Reads the schema afresh (a table created a moment ago by another client is seen) and resolves the binding. */
    CassandraTable resolve(BindingSpec binding) {
        checkOptions(binding);
        if (binding.query() != null) {
            throw new InvalidSpecException("query", "a Cassandra binding reads a table (table or keyspace.table); CQL queries are not supported");
        }
        if (binding.table() == null) {
            throw new InvalidSpecException("table", "is required: the table (or keyspace.table) to read");
        }
        String[] parts = binding.table().split("\\.");
        String keyspace;
        String keyspaceField;
        if (parts.length == 2) {
            keyspace = parts[0];
            keyspaceField = "table";
        } else if (binding.option("keyspace") != null) {
            keyspace = binding.option("keyspace").toString();
            keyspaceField = "keyspace";
        } else if (config.keyspace() != null) {
            keyspace = config.keyspace();
            keyspaceField = "connection_params.keyspace";
        } else {
            throw new InvalidSpecException("table", "name the keyspace of table '" + binding.table()
                    + "' (keyspace.table, the binding's keyspace, or connection_params.keyspace)");
        }
        String tableName = parts[parts.length - 1];
        session.refreshSchema();
        KeyspaceMetadata ks = keyspace(keyspace).orElseThrow(() -> new InvalidSpecException(keyspaceField,
                "keyspace '" + keyspace + "' does not exist on " + config.where()));
        TableMetadata tm = ks.getTable(cql(tableName)).orElseThrow(() -> new InvalidSpecException("table",
                "table '" + keyspace + "." + tableName + "' does not exist on " + config.where()));
        CassandraTable table = new CassandraTable(tm);
        checkColumns(binding, table);
        return table;
    }

    /** The keyspace of a name as written (unquoted: any letter case, as CQL folds it), if it exists. */
    Optional<KeyspaceMetadata> keyspace(String name) {
        return session.getMetadata().getKeyspace(cql(name));
    }

    /** A name as CQL reads it: folded to lower case unless it only matches in its own case. */
    private static String cql(String name) {
        return name.equals(name.toLowerCase(java.util.Locale.ROOT)) ? name : "\"" + name + "\"";
    }

    private static void checkOptions(BindingSpec binding) {
        List<FieldError> unknown = new ArrayList<>();
        for (String k : binding.options().keySet()) {
            if (!OPTIONS.contains(k)) {
                unknown.add(new FieldError(k, "is not a key of a Cassandra binding (table, keyspace, key_columns, mapping, watermark_column,"
                        + " schedule)"));
            }
        }
        Object ks = binding.option("keyspace");
        if (ks != null && !(ks instanceof String s && s.matches("[A-Za-z][A-Za-z0-9_]{0,47}"))) {
            unknown.add(new FieldError("keyspace", "'" + ks + "' is not a keyspace name"));
        }
        if (!unknown.isEmpty()) {
            throw new InvalidSpecException(unknown);
        }
    }

    private static void checkColumns(BindingSpec binding, CassandraTable table) {
        Map<String, ?> cols = table.columns();
        List<FieldError> errors = new ArrayList<>();
        List<String> key = binding.keyColumns();
        if (key != null) {
            for (int i = 0; i < key.size(); i++) {
                if (!cols.containsKey(key.get(i))) {
                    errors.add(new FieldError("key_columns[" + i + "]", "column '" + key.get(i) + "' does not exist in " + table.label()
                            + "; columns are " + cols.keySet()));
                }
            }
            if (errors.isEmpty() && !new HashSet<>(key).equals(new HashSet<>(table.primaryKey()))) {
                errors.add(new FieldError("key_columns", "must be the primary key of " + table.label() + " " + table.primaryKey()
                        + ": Cassandra reads and writes rows by their full primary key"));
            }
        }
        if (binding.watermarkColumn() != null && !cols.containsKey(binding.watermarkColumn())) {
            errors.add(new FieldError("watermark_column", "column '" + binding.watermarkColumn() + "' does not exist in " + table.label()
                    + "; columns are " + cols.keySet()));
        }
        if (binding.mapping() != null) {
            binding.mapping().forEach((regionCol, sourceCol) -> {
                if (!cols.containsKey(sourceCol)) {
                    errors.add(new FieldError("mapping." + regionCol, "source column '" + sourceCol + "' does not exist in " + table.label()
                            + "; columns are " + cols.keySet()));
                }
            });
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
    }
}
