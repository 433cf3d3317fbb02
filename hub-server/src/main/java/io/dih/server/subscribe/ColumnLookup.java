package io.dih.server.subscribe;

import io.dih.api.SqlType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Finds a region column by the name a request gives: exactly as stored, else case-insensitively when that picks a
 * single column. A name no column has is reported with a few known names.
 */
final class ColumnLookup {
    private static final int KNOWN_SHOWN = 10;

    private final Map<String, SqlType> columns;
    private final Map<String, List<String>> byLowerCase = new HashMap<>();

    ColumnLookup(Map<String, SqlType> columns) {
        this.columns = columns;
        for (String name : columns.keySet()) {
            byLowerCase.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(name);
        }
    }

    /** The stored name for an exact name, or {@code null}. */
    String exact(String name) {
        return columns.containsKey(name) ? name : null;
    }

    /**
     * The stored name: exact, else the one column equal ignoring case; {@code null} when there is none.
     *
     * @throws IllegalStateException naming the candidates when several columns differ from it only by case
     */
    String find(String name) {
        if (columns.containsKey(name)) {
            return name;
        }
        List<String> candidates = byLowerCase.get(name.toLowerCase(Locale.ROOT));
        if (candidates == null) {
            return null;
        }
        if (candidates.size() > 1) {
            throw new IllegalStateException("'" + FilterTokens.shorten(name) + "' matches columns " + candidates
                    + "; write the exact name in double quotes");
        }
        return candidates.get(0);
    }

    SqlType type(String name) {
        return columns.get(name);
    }

    /** "unknown column 'x'; known columns: a, b, …" */
    String unknown(String name) {
        TreeSet<String> sorted = new TreeSet<>(columns.keySet());
        StringBuilder sb = new StringBuilder("unknown column '").append(FilterTokens.shorten(name)).append("'; ");
        if (sorted.isEmpty()) {
            return sb.append("the region has no columns").toString();
        }
        sb.append("known columns: ");
        int shown = 0;
        for (String c : sorted) {
            if (shown == KNOWN_SHOWN) {
                sb.append(", … (").append(sorted.size() - shown).append(" more)");
                break;
            }
            sb.append(shown++ == 0 ? "" : ", ").append(c);
        }
        return sb.toString();
    }
}
