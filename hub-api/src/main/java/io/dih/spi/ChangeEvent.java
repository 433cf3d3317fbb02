package io.dih.spi;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One row change from a {@link ChangeFeed}.
 *
 * @param table        the changed table as {@link SourceTable#name()} names it (e.g. {@code public.orders})
 * @param key          the key columns and values (empty for {@link Kind#TRUNCATE})
 * @param row          every column after the change ({@code null} for a delete or truncate)
 * @param position     the change's position in the source's log (PostgreSQL: its LSN; binlog: file and offset of its
 *                     transaction); later changes are higher, or equal with a higher {@code sequence}
 * @param sequence     orders changes that share a position (binlog: event and row within the transaction); 0 if unused
 * @param commitMillis when the source committed it (epoch milliseconds)
 * @param snapshot     read by the initial snapshot rather than from the log
 */
public record ChangeEvent(Kind kind, String table, Map<String, Object> key, Map<String, Object> row, long position,
                          long sequence, long commitMillis, boolean snapshot) {
    public enum Kind { UPSERT, DELETE, TRUNCATE }

    public ChangeEvent {
        requireNonNull(kind, "kind is null");
        requireNonNull(table, "table is null");
        key = key == null ? Map.of() : key;
    }

    /** Whether this change comes after a change at {@code (position, sequence)} in the source's log. */
    public boolean isAfter(long otherPosition, long otherSequence) {
        return position != otherPosition ? Long.compareUnsigned(position, otherPosition) > 0 : sequence > otherSequence;
    }

    /** Whether this change comes after {@code other} in the source's log. */
    public boolean isAfter(ChangeEvent other) {
        return isAfter(other.position, other.sequence);
    }
}
