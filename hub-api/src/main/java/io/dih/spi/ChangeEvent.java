package io.dih.spi;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One row change from a {@link ChangeFeed}: a database change (CDC) or a message of a stream.
 *
 * @param table        the changed table as {@link SourceTable#name()} names it (e.g. {@code public.orders}); for a
 *                     stream, the name {@link Connector#describe} gave the binding the message came for: the binding's
 *                     {@code table} when it has one (the hub sets it to the binding's region), so two bindings of
 *                     one topic stay apart
 * @param key          the key columns and values (empty for {@link Kind#TRUNCATE} and {@link Kind#UNREADABLE})
 * @param row          every column after the change ({@code null} for a delete, truncate or unreadable message)
 * @param position     the change's position in the source's log (PostgreSQL: its LSN; binlog: file and offset of its
 *                     transaction; a stream: the message's offset in its partition); later changes are higher, or
 *                     equal with a higher {@code sequence}
 * @param sequence     orders changes that share a position (binlog: event and row within the transaction); 0 if unused
 * @param commitMillis when the source committed it (epoch milliseconds)
 * @param snapshot     read by the initial snapshot rather than from the log
 * @param stream       where {@code position} counts: {@code null} for a source with one log (a database), the
 *                     partition for a stream ({@code orders-3}); positions of different streams are not comparable
 * @param raw          the change as the source sent it (a message's payload as text), kept with a dead letter when the
 *                     region cannot take it; may be {@code null}
 * @param error        why the connector could not read the change ({@link Kind#UNREADABLE} only): not JSON, no key...
 */
public record ChangeEvent(Kind kind, String table, Map<String, Object> key, Map<String, Object> row, long position,
                          long sequence, long commitMillis, boolean snapshot, String stream, String raw, String error) {
    /**
     * UPSERT sets the row, DELETE removes the key, TRUNCATE empties the table's region, UNREADABLE is a change (a
     * message) the connector could not read: the hub keeps it as a dead letter and goes on.
     */
    public enum Kind { UPSERT, DELETE, TRUNCATE, UNREADABLE }

    public ChangeEvent {
        requireNonNull(kind, "kind is null");
        requireNonNull(table, "table is null");
        key = key == null ? Map.of() : key;
        if (kind == Kind.UNREADABLE && error == null) {
            throw new IllegalArgumentException("an unreadable change needs the error");
        }
    }

    /** A change of a source with one log (a database). */
    public ChangeEvent(Kind kind, String table, Map<String, Object> key, Map<String, Object> row, long position, long sequence,
                       long commitMillis, boolean snapshot) {
        this(kind, table, key, row, position, sequence, commitMillis, snapshot, null, null, null);
    }

    /** A message a connector could not read, at {@code position} of {@code stream}, with its payload and why. */
    public static ChangeEvent unreadable(String table, String stream, long position, long commitMillis, String raw, String error) {
        return new ChangeEvent(Kind.UNREADABLE, table, Map.of(), null, position, 0, commitMillis, false, stream, raw, error);
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
