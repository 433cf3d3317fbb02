package io.dih.server.node;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Query results as a plain-text table, one line per row: line breaks and tabs inside values are written as
 * {@code \n}, {@code \r} and {@code \t}, so a multi-line value (an error text, a JSON document) cannot break the layout.
 */
final class TextTable {
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    TextTable(List<String> header) {
        requireNonNull(header, "header is null");
        this.header = header.stream().map(TextTable::cell).toArray(String[]::new);
    }

    /** Adds a row; {@code null} values show as {@code NULL}. */
    void add(List<?> values) {
        requireNonNull(values, "values is null");
        if (values.size() != header.length) {
            throw new IllegalArgumentException("a row of " + values.size() + " values in a table of " + header.length + " columns");
        }
        rows.add(values.stream().map(v -> v == null ? "NULL" : cell(v.toString())).toArray(String[]::new));
    }

    int size() {
        return rows.size();
    }

    /** The header, a separator, the rows and a row count, one string per line. */
    List<String> lines() {
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        List<String> out = new ArrayList<>();
        out.add(line(header, width));
        StringBuilder sep = new StringBuilder();
        for (int w : width) {
            sep.append(sep.length() == 0 ? "" : "-+-").append("-".repeat(w));
        }
        out.add(sep.toString());
        rows.forEach(r -> out.add(line(r, width)));
        out.add("(" + rows.size() + " row" + (rows.size() == 1 ? "" : "s") + ")");
        return out;
    }

    /** A value as one line: CR, LF and TAB become backslash sequences. */
    static String cell(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String line(String[] cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            sb.append(i == 0 ? "" : " | ").append(cells[i]).append(" ".repeat(width[i] - cells[i].length()));
        }
        return sb.toString().stripTrailing();
    }
}
