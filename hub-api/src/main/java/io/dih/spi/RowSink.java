package io.dih.spi;

import java.util.Map;

/**
 * Receives the rows of a load, one call per row, on the loading thread. A row maps source column names to Java
 * values of the column's {@link io.dih.api.SqlType} ({@code java.sql.Timestamp}, {@code BigDecimal}, …; null for
 * SQL NULL). The map may be reused by the caller after {@code accept} returns.
 */
@FunctionalInterface
public interface RowSink {
    void accept(Map<String, Object> row);

    /**
     * What the source could not read as a row (a malformed CSV line, a JSON line that is not an object): the hub keeps
     * it as a dead letter and the load goes on.
     *
     * @param position where it is in the source ({@code orders/2026.csv:17})
     * @param raw      the unreadable text (cut short by the hub when long)
     * @param error    what is wrong with it
     */
    default void unreadable(String position, String raw, String error) {
        throw new IllegalStateException("unreadable row at " + position + ": " + error);
    }
}
