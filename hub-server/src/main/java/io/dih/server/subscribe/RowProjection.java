package io.dih.server.subscribe;

import static java.util.Objects.requireNonNull;

import io.dih.api.SqlType;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The columns a subscriber receives ({@code ?columns=a,b,c}): comma-separated names, spaces allowed, matched like
 * unquoted filter columns (exactly, else ignoring case). The region's key columns are always kept, listed or not:
 * a subscriber must know which entry a change is about. Unlisted key columns come first, then the listed columns in
 * the order of the request. Refusals are {@link InvalidSpecException}s for the field {@code columns}.
 */
public final class RowProjection {
    /** Longest accepted {@code columns} text. */
    static final int MAX_LENGTH = 1000;

    /** Keeps every column: {@link #apply} returns the row itself; {@link #columns} is empty. */
    public static final RowProjection ALL = new RowProjection(List.of());

    private final List<String> columns;

    private RowProjection(List<String> columns) {
        this.columns = columns;
    }

    /**
     * Parses a column list.
     *
     * @param text comma-separated column names
     * @param columns the region's columns by stored name, with their types
     * @param keyColumns the region's key columns by stored name; always kept
     * @throws InvalidSpecException for field {@code columns}: empty, too long, an unknown or a repeated column
     */
    public static RowProjection parse(String text, Map<String, SqlType> columns, List<String> keyColumns) {
        requireNonNull(columns, "columns");
        requireNonNull(keyColumns, "keyColumns");
        if (text == null || text.isBlank()) {
            throw new InvalidSpecException("columns", "is empty; list the columns to receive, e.g. columns=id,price");
        }
        if (text.length() > MAX_LENGTH) {
            throw new InvalidSpecException("columns", "is " + text.length() + " characters long; the limit is "
                    + MAX_LENGTH + " characters");
        }
        ColumnLookup lookup = new ColumnLookup(columns);
        Set<String> listed = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            String name = part.strip();
            if (name.isEmpty()) {
                throw new InvalidSpecException("columns", "has an empty name; separate column names with single commas");
            }
            String stored;
            try {
                stored = lookup.find(name);
            } catch (IllegalStateException e) {
                throw new InvalidSpecException("columns", e.getMessage());
            }
            if (stored == null) {
                throw new InvalidSpecException("columns", lookup.unknown(name));
            }
            if (!listed.add(stored)) {
                throw new InvalidSpecException("columns", "names column '" + stored + "' twice");
            }
        }
        List<String> kept = new ArrayList<>();
        for (String key : keyColumns) {
            if (!listed.contains(key) && !kept.contains(key)) {
                kept.add(key);
            }
        }
        kept.addAll(listed);
        return new RowProjection(List.copyOf(kept));
    }

    /**
     * A new map with only the projected columns, in {@link #columns} order; a column the row lacks stays absent.
     * {@link #ALL} returns the row itself.
     */
    public Map<String, Object> apply(Map<String, Object> row) {
        requireNonNull(row, "row");
        if (columns.isEmpty()) {
            return row;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (String c : columns) {
            if (row.containsKey(c)) {
                out.put(c, row.get(c));
            }
        }
        return out;
    }

    /** The kept columns by stored name, key columns included; empty for {@link #ALL}. */
    public List<String> columns() {
        return columns;
    }

    @Override
    public String toString() {
        return columns.isEmpty() ? "*" : String.join(",", columns);
    }
}
