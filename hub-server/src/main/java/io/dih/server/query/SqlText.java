package io.dih.server.query;

/** The lexical steps the hub's scans of SQL text share: past a comment's end, past a quoted string or identifier. */
final class SqlText {
    private SqlText() {
    }

    /** The index after {@code end} (a comment's close), or the end of the text when it never comes. */
    static int skipTo(String sql, int from, String end) {
        int at = sql.indexOf(end, from);
        return at < 0 ? sql.length() : at + end.length();
    }

    /** The index after the closing quote of a text opened before {@code from}; a doubled quote is an escaped one. */
    static int skipQuoted(String sql, int from, char quote) {
        int i = from;
        while (i < sql.length()) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return i;
    }
}
