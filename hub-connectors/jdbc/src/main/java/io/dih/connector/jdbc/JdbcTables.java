package io.dih.connector.jdbc;

import static java.util.Objects.requireNonNull;

import io.dih.api.BindingSpec;
import io.dih.api.SqlType;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.SourceTable;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The bindings of a JDBC source resolved against its database: a table's real name (as the database spells it), its
 * typed columns and key, or a query's columns; each binding's columns checked against what it names. Kept per
 * binding until {@link #forget} (a column may have been added since).
 */
final class JdbcTables {
    /** A binding resolved against the database: the real table name and the typed columns, and what to select from. */
    record Described(SourceTable table, String from) {
    }

    private final Dialect dialect;
    private final String database;
    private final Supplier<Connection> connections;
    private final String where;
    private final Function<Throwable, String> clean;
    private final Function<Throwable, RuntimeException> failed;
    private final Map<BindingSpec, Described> described = new ConcurrentHashMap<>();

    /**
     * @param where  the database as messages name it ({@code PostgreSQL at host:port})
     * @param clean  a driver's message with the password cut out
     * @param failed what a failure to reach the database is told as
     */
    JdbcTables(Dialect dialect, String database, Supplier<Connection> connections, String where, Function<Throwable, String> clean,
               Function<Throwable, RuntimeException> failed) {
        this.dialect = requireNonNull(dialect, "dialect is null");
        this.database = database;
        this.connections = requireNonNull(connections, "connections is null");
        this.where = requireNonNull(where, "where is null");
        this.clean = requireNonNull(clean, "clean is null");
        this.failed = requireNonNull(failed, "failed is null");
    }

    /** Drops what is known of a binding: the next {@link #resolve} reads the database again. */
    void forget(BindingSpec binding) {
        described.remove(binding);
    }

    /** The binding resolved: described once, then reused until {@link #forget}. */
    Described resolve(BindingSpec binding) {
        Described d = described.get(binding);
        if (d == null) {
            d = binding.query() != null ? describeQuery(binding) : describeTable(binding);
            described.put(binding, d);
        }
        return d;
    }

    private Described describeQuery(BindingSpec binding) {
        if (binding.keyColumns() == null) {
            throw new InvalidSpecException("key_columns", "a query binding must name its key_columns");
        }
        String from = "(" + binding.query() + ") q";
        LinkedHashMap<String, SqlType> cols = new LinkedHashMap<>();
        try (Connection c = connections.get(); PreparedStatement ps = c.prepareStatement("SELECT * FROM " + from + " WHERE 1 = 0");
             ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                cols.put(md.getColumnLabel(i), dialect.typeOf(md.getColumnType(i), md.getColumnTypeName(i)));
            }
        } catch (SQLException e) {
            throw new InvalidSpecException("query", "the query fails on " + where + ": " + clean.apply(e));
        }
        checkColumns(binding, cols);
        return new Described(new SourceTable("query", cols, binding.keyColumns()), from);
    }

    private Described describeTable(BindingSpec binding) {
        String[] parts = binding.table().split("\\.");
        String schema = parts.length == 2 ? parts[0] : (dialect instanceof PostgresDialect ? "public" : null);
        String table = parts[parts.length - 1];
        try (Connection c = connections.get()) {
            DatabaseMetaData md = c.getMetaData();
            String catalog = dialect instanceof PostgresDialect ? null : (parts.length == 2 ? parts[0] : database);
            String pgSchema = dialect instanceof PostgresDialect ? schema : null;
            for (String candidate : List.of(table, table.toLowerCase(), table.toUpperCase())) {
                LinkedHashMap<String, SqlType> cols = new LinkedHashMap<>();
                try (ResultSet rs = md.getColumns(catalog, pgSchema, candidate, null)) {
                    while (rs.next()) {
                        cols.put(rs.getString("COLUMN_NAME"), dialect.typeOf(rs.getInt("DATA_TYPE"), rs.getString("TYPE_NAME")));
                    }
                }
                if (cols.isEmpty()) {
                    continue;
                }
                List<String> pk = new ArrayList<>();
                Map<Integer, String> bySeq = new TreeMap<>();
                try (ResultSet rs = md.getPrimaryKeys(catalog, pgSchema, candidate)) {
                    while (rs.next()) {
                        bySeq.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME"));
                    }
                }
                pk.addAll(bySeq.values());
                List<String> key = binding.keyColumns() != null ? binding.keyColumns() : pk;
                if (key.isEmpty()) {
                    throw new InvalidSpecException("key_columns", "table '" + binding.table() + "' has no primary key; name its key_columns");
                }
                checkColumns(new BindingSpec(binding.table(), null, key, binding.mapping(), binding.watermarkColumn(), binding.schedule()), cols);
                String qualified = (schema != null && dialect instanceof PostgresDialect) ? schema + "." + candidate
                        : (parts.length == 2 ? parts[0] + "." + candidate : candidate);
                return new Described(new SourceTable(qualified, cols, key), dialect.quote(qualified));
            }
            throw new InvalidSpecException("table", "table '" + binding.table() + "' does not exist in database '" + database
                    + "' on " + where);
        } catch (SQLException e) {
            throw failed.apply(e);
        }
    }

    private static void checkColumns(BindingSpec binding, Map<String, SqlType> cols) {
        List<FieldError> errors = new ArrayList<>();
        List<String> key = binding.keyColumns();
        for (int i = 0; key != null && i < key.size(); i++) {
            if (!cols.containsKey(key.get(i))) {
                errors.add(new FieldError("key_columns[" + i + "]", "column '" + key.get(i) + "' does not exist; columns are " + cols.keySet()));
            }
        }
        if (binding.watermarkColumn() != null && !cols.containsKey(binding.watermarkColumn())) {
            errors.add(new FieldError("watermark_column", "column '" + binding.watermarkColumn() + "' does not exist; columns are " + cols.keySet()));
        }
        if (binding.mapping() != null) {
            binding.mapping().forEach((regionCol, sourceCol) -> {
                if (!cols.containsKey(sourceCol)) {
                    errors.add(new FieldError("mapping." + regionCol, "source column '" + sourceCol + "' does not exist; columns are " + cols.keySet()));
                }
            });
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
    }

}
