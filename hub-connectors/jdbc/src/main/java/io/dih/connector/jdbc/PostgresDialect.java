package io.dih.connector.jdbc;

import java.util.List;
import java.util.stream.Collectors;

final class PostgresDialect implements Dialect {
    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public int defaultPort() {
        return 5432;
    }

    @Override
    public String jdbcUrl(String host, int port, String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    @Override
    public char quoteChar() {
        return '"';
    }

    @Override
    public String upsert(String table, List<String> columns, List<String> keyColumns) {
        String cols = columns.stream().map(this::quote).collect(Collectors.joining(", "));
        String params = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
        String keys = keyColumns.stream().map(this::quote).collect(Collectors.joining(", "));
        List<String> rest = columns.stream().filter(c -> !keyColumns.contains(c)).toList();
        String onConflict = rest.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + rest.stream().map(c -> quote(c) + " = EXCLUDED." + quote(c)).collect(Collectors.joining(", "));
        return "INSERT INTO " + quote(table) + " (" + cols + ") VALUES (" + params + ") ON CONFLICT (" + keys + ") " + onConflict;
    }
}
