package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dih.server.region.ColumnValues;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ignite.cache.query.FieldsQueryCursor;
import org.apache.ignite.internal.processors.query.GridQueryCancel;

/**
 * One running query: its Ignite cursor, the iterator rows are read from, its columns, and the handle that cancels it.
 * Not thread-safe: {@link SqlCursors} lends a cursor to one request at a time.
 */
final class SqlCursor implements AutoCloseable {
    private final FieldsQueryCursor<List<?>> cursor;
    private final Iterator<List<?>> rows;
    private final List<SqlColumn> columns;
    private final GridQueryCancel cancel;
    private final int pageSize;
    private final long timeoutMillis;
    private final String tenant;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long lastUsedNanos;

    SqlCursor(FieldsQueryCursor<List<?>> cursor, Iterator<List<?>> rows, List<SqlColumn> columns, GridQueryCancel cancel,
              int pageSize, long timeoutMillis, String tenant) {
        this.cursor = requireNonNull(cursor, "cursor is null");
        this.rows = requireNonNull(rows, "rows is null");
        this.columns = List.copyOf(columns);
        this.cancel = requireNonNull(cancel, "cancel is null");
        this.pageSize = pageSize;
        this.timeoutMillis = timeoutMillis;
        this.tenant = tenant;
    }

    /** The tenant whose statement this is; null for the operator's. */
    String tenant() {
        return tenant;
    }

    List<SqlColumn> columns() {
        return columns;
    }

    long timeoutMillis() {
        return timeoutMillis;
    }

    /** Up to a page of rows, each an array of JSON values in column order. */
    ArrayNode nextPage() {
        ArrayNode page = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < pageSize && rows.hasNext(); i++) {
            ArrayNode row = page.addArray();
            for (Object v : rows.next()) {
                row.add(ColumnValues.toJson(v));
            }
        }
        return page;
    }

    /** Whether rows remain (this may run the query further, so it is called inside the request's time limit). */
    boolean hasMore() {
        return rows.hasNext();
    }

    /** The handle that cancels the query (a {@link Deadline} uses it). */
    GridQueryCancel cancel() {
        return cancel;
    }

    void touch(long nanos) {
        lastUsedNanos = nanos;
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    /** Closes the Ignite cursor, which cancels the query if it still runs; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                cursor.close();
            } catch (RuntimeException ignored) {
                // the query already failed or was cancelled; nothing is left to release
            }
        }
    }
}
