package io.dih.connector.jdbc;

import io.dih.api.SqlType;
import java.util.List;

/** What differs between relational databases: URLs, quoting, upserts and type names. */
interface Dialect {
    String name();

    int defaultPort();

    String jdbcUrl(String host, int port, String database);

    /** Quotes one identifier; a {@code schema.table} name is quoted part by part. */
    default String quote(String identifier) {
        StringBuilder sb = new StringBuilder();
        for (String part : identifier.split("\\.")) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(quoteChar()).append(part.replace(String.valueOf(quoteChar()), "" + quoteChar() + quoteChar())).append(quoteChar());
        }
        return sb.toString();
    }

    char quoteChar();

    /** INSERT … that updates the row when the key exists; one '?' per column, in order. */
    String upsert(String table, List<String> columns, List<String> keyColumns);

    /** The hub type of a column the driver reports, or {@code null} to read it as text. */
    default SqlType typeOf(int jdbcType, String typeName) {
        return JdbcTypes.standard(jdbcType, typeName);
    }
}
