package io.dih.connector.jdbc;

import static java.util.Objects.requireNonNull;

import io.dih.api.SqlType;
import io.dih.spi.SourceTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Read-through by primary key: one key's row, or the rows of many keys with one statement per
 * {@value #KEYS_PER_STATEMENT} keys ({@code k IN (?, …)}, or {@code (a = ? AND b = ?) OR …} for a composite key, which
 * every supported database answers from its primary key index). The key values are bound as parameters; a batch's
 * parameter count is rounded up to a power of two (the last key repeated), so a database sees few statement shapes.
 */
final class JdbcReads {
    static final int KEYS_PER_STATEMENT = 256;

    private final Dialect dialect;
    private final Supplier<Connection> connections;
    /** A driver error of a read, as the connector reports it ({@code what} names the table). */
    private final BiFunction<SQLException, String, RuntimeException> failure;

    JdbcReads(Dialect dialect, Supplier<Connection> connections, BiFunction<SQLException, String, RuntimeException> failure) {
        this.dialect = requireNonNull(dialect, "dialect is null");
        this.connections = requireNonNull(connections, "connections is null");
        this.failure = requireNonNull(failure, "failure is null");
    }

    /** The table's columns, quoted, in order: what every read selects. */
    String columnList(SourceTable t) {
        return t.columns().keySet().stream().map(dialect::quote).collect(Collectors.joining(", "));
    }

    Optional<Map<String, Object>> read(JdbcTables.Described d, Map<String, Object> key) {
        List<Map<String, Object>> rows = readAll(d, List.of(key));
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    List<Map<String, Object>> readAll(JdbcTables.Described d, List<Map<String, Object>> keys) {
        SourceTable t = d.table();
        List<Map<String, Object>> rows = new ArrayList<>();
        if (keys.isEmpty()) {
            return rows;
        }
        try (Connection c = connections.get()) {
            for (int from = 0; from < keys.size(); from += KEYS_PER_STATEMENT) {
                List<Map<String, Object>> chunk = keys.subList(from, Math.min(keys.size(), from + KEYS_PER_STATEMENT));
                int slots = Integer.highestOneBit(chunk.size()) == chunk.size() ? chunk.size() : Integer.highestOneBit(chunk.size()) << 1;
                try (PreparedStatement ps = c.prepareStatement(select(d, slots))) {
                    int p = 1;
                    for (int i = 0; i < slots; i++) {
                        Map<String, Object> key = chunk.get(Math.min(i, chunk.size() - 1));
                        for (String k : t.primaryKey()) {
                            ps.setObject(p++, key.get(k));
                        }
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Map<String, Object> row = new LinkedHashMap<>();
                            int i = 1;
                            for (Map.Entry<String, SqlType> col : t.columns().entrySet()) {
                                row.put(col.getKey(), JdbcConnector.readValue(rs, i++, col.getValue()));
                            }
                            rows.add(row);
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw failure.apply(e, "reading from " + t.name());
        }
        return rows;
    }

    /** The statement for {@code slots} keys. */
    private String select(JdbcTables.Described d, int slots) {
        SourceTable t = d.table();
        StringBuilder sql = new StringBuilder("SELECT ").append(columnList(t)).append(" FROM ").append(d.from()).append(" WHERE ");
        if (t.primaryKey().size() == 1) {
            sql.append(dialect.quote(t.primaryKey().get(0)));
            if (slots == 1) {
                return sql.append(" = ?").toString();
            }
            sql.append(" IN (");
            for (int i = 0; i < slots; i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            return sql.append(')').toString();
        }
        String one = t.primaryKey().stream().map(k -> dialect.quote(k) + " = ?").collect(Collectors.joining(" AND ", "(", ")"));
        for (int i = 0; i < slots; i++) {
            sql.append(i == 0 ? "" : " OR ").append(one);
        }
        return sql.toString();
    }
}
