package io.dih.server.query;

import io.dih.spi.ConflictException;
import io.dih.spi.FieldError;
import io.dih.spi.HubException;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.TimedOutException;
import io.dih.spi.UnavailableException;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.ignite.IgniteException;
import org.apache.ignite.cache.query.QueryCancelledException;
import org.apache.ignite.internal.processors.cache.query.IgniteQueryErrorCode;
import org.apache.ignite.internal.processors.query.IgniteSQLException;

/**
 * Turns what Ignite and H2 throw into the hub's typed exceptions: the user's mistakes (syntax, unknown table or column,
 * a value that does not convert) are 400s with the parser's message and, for syntax errors, the position; a
 * duplicate key is a 409; a query cancelled by its deadline is a 408; a cluster that cannot run it is a 503.
 */
final class SqlErrors {
    private static final Pattern H2_CODE = Pattern.compile("\\s*\\[\\d{5}-\\d+]");
    private static final String STATEMENT = "statement \"";

    private SqlErrors() {
    }

    static HubException translate(RuntimeException e, String sql, boolean timedOut, long timeoutMillis) {
        if (timedOut) {
            return timedOut(timeoutMillis);
        }
        List<Throwable> chain = chain(e);
        for (Throwable t : chain) {
            if (t instanceof HubException he) { // e.g. DML through a WRITE_THROUGH region whose source refused (422)
                return he;
            }
        }
        for (Throwable t : chain) {
            if (t instanceof IgniteSQLException se) {
                return fromSql(se, sql);
            }
            if (t instanceof QueryCancelledException) {
                return cancelled();
            }
            if (t instanceof SQLException se && se.getSQLState() != null && userError(se.getSQLState())) {
                String position = position(se.getMessage(), sql);
                String message = clean(se.getMessage());
                return new InvalidSpecException(List.of(new FieldError(se.getSQLState().startsWith("22") ? "params" : "query",
                        position == null ? message : position + ": " + message)));
            }
        }
        String text = e.getMessage() == null ? "" : e.getMessage();
        if (text.contains("due to different affinity configuration")) {
            return new InvalidSpecException("query", "an outer join that keeps a REPLICATED region's unmatched rows against a "
                    + "PARTITIONED region cannot run (Ignite joins them only the other way round): keep the PARTITIONED side "
                    + "(put it first in a LEFT JOIN), use an inner join, or make both regions PARTITIONED: " + clean(text));
        }
        if (text.contains("join condition does not use index")) {
            return new InvalidSpecException("query", "a distributed join needs an index on the joined column of each "
                    + "PARTITIONED region (declare it in the region's indexes, or join on the key): " + clean(text));
        }
        if (e instanceof IgniteException || e instanceof javax.cache.CacheException) {
            return new UnavailableException("the cluster could not run the query: " + clean(e.getMessage()), e);
        }
        throw e;
    }

    /** The failure, its causes and what they suppressed (a rolled-back transaction keeps the store's refusal there). */
    private static List<Throwable> chain(Throwable e) {
        List<Throwable> out = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> todo = new ArrayDeque<>();
        todo.add(e);
        while (!todo.isEmpty() && out.size() < 64) {
            Throwable t = todo.poll();
            if (seen.add(t)) {
                out.add(t);
                if (t.getCause() != null) {
                    todo.add(t.getCause());
                }
                todo.addAll(Arrays.asList(t.getSuppressed()));
            }
        }
        return out;
    }

    static TimedOutException timedOut(long timeoutMillis) {
        return new TimedOutException("the query ran longer than timeout_ms (" + timeoutMillis + " ms) and was cancelled on the "
                + "server; narrow it, add an index, or allow more time (up to " + SqlRequest.MAX_TIMEOUT_MS + " ms)");
    }

    private static UnavailableException cancelled() {
        return new UnavailableException("the query was cancelled on the server (KILL QUERY, or the node is stopping)");
    }

    private static HubException fromSql(IgniteSQLException e, String sql) {
        String message = clean(e.getMessage());
        int code = e.statusCode();
        String state = e.sqlState() == null ? "" : e.sqlState();
        if (code == IgniteQueryErrorCode.QUERY_CANCELED || state.equals("57014")) {
            return cancelled();
        }
        if (code == IgniteQueryErrorCode.DUPLICATE_KEY || code == IgniteQueryErrorCode.CONCURRENT_UPDATE) {
            return new ConflictException(message);
        }
        if (code == IgniteQueryErrorCode.CLUSTER_READ_ONLY_MODE_ENABLED || code == IgniteQueryErrorCode.DB_UNRECOVERABLE_ERROR
                || code == IgniteQueryErrorCode.UNKNOWN && !userError(state)) {
            return new UnavailableException("the cluster could not run the query: " + message, e);
        }
        String position = position(e.getMessage(), sql);
        return new InvalidSpecException(List.of(new FieldError("query", position == null ? message : position + ": " + message)));
    }

    /** SQLSTATE classes of mistakes in the request: syntax or access rule, data, integrity, cardinality, unsupported. */
    private static boolean userError(String state) {
        return state.startsWith("42") || state.startsWith("22") || state.startsWith("23") || state.startsWith("21")
                || state.startsWith("0A") || state.startsWith("07");
    }

    /**
     * Where H2 stopped parsing ({@code [*]} in its message, just after the token it could not use), as a 1-based
     * character position in the query as sent, with its line and column; null when the message has no marker.
     */
    static String position(String message, String sql) {
        if (message == null) {
            return null;
        }
        int mark = message.indexOf("[*]");
        int open = message.lastIndexOf(STATEMENT, mark);
        if (mark < 0 || open < 0) {
            return null;
        }
        String before = message.substring(open + STATEMENT.length(), mark);
        if (before.startsWith("EXPLAIN ") && !sql.stripLeading().regionMatches(true, 0, "EXPLAIN ", 0, 8)) {
            before = before.substring("EXPLAIN ".length());
        }
        // H2 quotes the statement as it parsed it: the same length, keywords and names upper-cased, comments blanked
        int lead = sql.length() - sql.stripLeading().length();
        int offset = sql.regionMatches(true, lead, before, 0, before.length()) ? lead + before.length() : before.length();
        offset = Math.min(offset, sql.length()); // at the end H2 quotes the statement with a space added
        int line = 1;
        int column = 1;
        for (int i = 0; i < offset; i++) {
            if (sql.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return "syntax error: the parser stopped at position " + (offset + 1) + " (line " + line + ", column " + column + ", [*] below)";
    }

    /** The parser's words without Ignite's prefix, the repeated statement and H2's error codes. */
    static String clean(String message) {
        if (message == null) {
            return "no message";
        }
        String m = message.replace("Failed to parse query. ", "");
        int stmt = m.indexOf("; SQL statement:");
        if (stmt >= 0) {
            m = m.substring(0, stmt);
        }
        return H2_CODE.matcher(m).replaceAll("").trim();
    }
}
