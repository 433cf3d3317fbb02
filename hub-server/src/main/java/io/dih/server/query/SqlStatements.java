package io.dih.server.query;

import io.dih.spi.InvalidSpecException;
import java.util.Locale;
import java.util.Set;

/**
 * Decides, before anything runs, whether a SQL text may run over REST: exactly one statement, a query ({@code SELECT},
 * {@code WITH}) or DML ({@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code MERGE}). DDL is refused: tables are
 * regions, and regions are created through the regions API so the registry knows every table. The scan skips string
 * literals, quoted identifiers and comments, so a {@code ;} or a keyword inside them counts for nothing.
 */
public final class SqlStatements {
    /** What a statement does. */
    public enum Kind { QUERY, DML }

    private static final Set<String> QUERY = Set.of("SELECT", "WITH");
    private static final Set<String> DML = Set.of("INSERT", "UPDATE", "DELETE", "MERGE");
    private static final Set<String> DDL = Set.of("CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME", "COMMENT", "GRANT", "REVOKE", "ANALYZE");

    private SqlStatements() {
    }

    /** The statement's kind; a 400 naming {@code query} when it is empty, several statements, DDL or anything else. */
    public static Kind classify(String sql) {
        String first = firstWord(sql);
        if (QUERY.contains(first)) {
            return Kind.QUERY;
        }
        if (DML.contains(first)) {
            return Kind.DML;
        }
        if (DDL.contains(first)) {
            throw new InvalidSpecException("query", first + " is DDL, which is not accepted over SQL: create, change and drop "
                    + "tables through the regions API (POST/DELETE /api/v1/dih/cache-regions) so the registry knows every table");
        }
        throw new InvalidSpecException("query", "'" + first + "' statements are not accepted; send one SELECT (or WITH … SELECT) "
                + "or one INSERT, UPDATE, DELETE or MERGE" + ("EXPLAIN".equals(first) ? " (for a plan, send the query with \"explain\": true)" : ""));
    }

    /** Whether the statement (one that {@link #classify} accepts) may add rows: INSERT or MERGE. */
    public static boolean mayAddRows(String sql) {
        String first = firstWord(sql);
        return first.equals("INSERT") || first.equals("MERGE");
    }

    /** The first word of the one statement, upper case; a 400 when there is none or several statements. */
    private static String firstWord(String sql) {
        if (sql == null || sql.isBlank()) {
            throw new InvalidSpecException("query", "is required: one SELECT or INSERT/UPDATE/DELETE/MERGE statement");
        }
        String first = null;
        int n = sql.length();
        int i = 0;
        boolean ended = false; // a top-level ';' was seen
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                i = SqlText.skipTo(sql, i + 2, "\n");
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = SqlText.skipTo(sql, i + 2, "*/");
            } else if (c == '\'' || c == '"' || c == '`') {
                if (ended) {
                    throw several();
                }
                i = SqlText.skipQuoted(sql, i + 1, c);
            } else if (c == ';') {
                ended = true;
                i++;
            } else {
                if (ended) {
                    throw several();
                }
                if (first == null && Character.isLetter(c)) {
                    int start = i;
                    while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                        i++;
                    }
                    first = sql.substring(start, i).toUpperCase(Locale.ROOT);
                } else {
                    if (first == null) {
                        first = String.valueOf(c);
                    }
                    i++;
                }
            }
        }
        if (first == null) {
            throw new InvalidSpecException("query", "holds no statement, only comments or semicolons");
        }
        return first;
    }

    private static InvalidSpecException several() {
        return new InvalidSpecException("query", "holds several statements; send one statement per request");
    }
}
