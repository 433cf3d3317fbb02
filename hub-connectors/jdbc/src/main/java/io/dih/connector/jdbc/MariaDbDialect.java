package io.dih.connector.jdbc;

import java.util.List;
import java.util.stream.Collectors;

/** MariaDB and MySQL (through the MariaDB driver, which speaks to both). */
final class MariaDbDialect implements Dialect {
    private final String name;

    MariaDbDialect(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int defaultPort() {
        return 3306;
    }

    @Override
    public String jdbcUrl(String host, int port, String database) {
        return "jdbc:mariadb://" + host + ":" + port + "/" + database + "?permitMysqlScheme=true";
    }

    @Override
    public char quoteChar() {
        return '`';
    }

    @Override
    public String upsert(String table, List<String> columns, List<String> keyColumns) {
        String cols = columns.stream().map(this::quote).collect(Collectors.joining(", "));
        String params = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
        List<String> rest = columns.stream().filter(c -> !keyColumns.contains(c)).toList();
        List<String> updates = rest.isEmpty() ? List.of(keyColumns.get(0)) : rest;
        return "INSERT INTO " + quote(table) + " (" + cols + ") VALUES (" + params + ") ON DUPLICATE KEY UPDATE "
                + updates.stream().map(c -> quote(c) + " = VALUES(" + quote(c) + ")").collect(Collectors.joining(", "));
    }
}
