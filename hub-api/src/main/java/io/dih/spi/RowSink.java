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
}
