package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import io.dih.server.region.RegionCaches;
import io.dih.spi.InvalidSpecException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.internal.GridKernalContext;
import org.apache.ignite.internal.IgniteEx;
import org.apache.ignite.internal.processors.query.h2.IgniteH2Indexing;
import org.apache.ignite.internal.processors.query.h2.QueryParserResult;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlAst;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlDelete;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlElement;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlFunction;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlInsert;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlMerge;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlTable;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlUpdate;

/**
 * What a statement of a caller who sees only some tables (a tenant) may name: its own regions' tables in
 * {@code PUBLIC}, and nothing else — no other region's table, no other schema ({@code SYS}, {@code INFORMATION_SCHEMA},
 * the hub's {@code DIH} and {@code DIH_WB}), no function that reads the database's files, metadata or session state
 * ({@link #CLOSED_FUNCTIONS}). The check reads the statement as Ignite parsed it (every table of every join, subquery,
 * derived table, CTE and DML target), so it holds whatever the SQL looks like.
 *
 * <p>A name the caller may not see is answered exactly as one that does not exist: when the statement names one, it is
 * parsed again with such names replaced by names no object has ({@link HiddenNames}), and the parser's own complaint
 * about that text is the answer ("Table "X" not found", a column error, a syntax error at the same position…). A
 * statement that uses such a word only as an alias or column name runs as sent.
 */
final class SqlScope {
    /**
     * H2 functions closed to scoped callers: they read files, the database's metadata by a table's name
     * ({@code DISK_SPACE_USED('t')} answers whether any table exists), or session state that outlives a statement on
     * Ignite's pooled connections ({@code SET(@v, ...)}, identities, sequences). Ignite disables several of them for
     * everyone already (its {@code sql.disabledFunctions}).
     */
    static final Set<String> CLOSED_FUNCTIONS = Set.of("DISK_SPACE_USED", "DATABASE_PATH", "FILE_READ", "FILE_WRITE",
            "CSVREAD", "CSVWRITE", "LINK_SCHEMA", "MEMORY_FREE", "MEMORY_USED", "LOCK_MODE", "LOCK_TIMEOUT", "SESSION_ID",
            "CANCEL_SESSION", "TRANSACTION_ID", "SET", "IDENTITY", "SCOPE_IDENTITY", "LAST_INSERT_ID", "NEXTVAL", "CURRVAL",
            "READONLY", "AUTOCOMMIT");
    /** H2's own metadata schema, which Ignite's schema list does not name. */
    private static final String H2_META_SCHEMA = "INFORMATION_SCHEMA";

    private final GridKernalContext ctx;

    SqlScope(Ignite ignite) {
        this.ctx = ((IgniteEx) requireNonNull(ignite, "ignite is null")).context();
    }

    /**
     * Refuses (400, as for a name that does not exist) a statement that names what the caller may not see, and (400,
     * naming it) one that calls a closed function; a statement the parser refuses is answered with its words
     * ({@link SqlErrors}). The operator passes unchecked.
     */
    void check(SqlFieldsQuery q, SqlCaller caller) {
        if (caller.operator()) {
            return;
        }
        HiddenNames hidden = HiddenNames.of(q.getSql(), hidden(caller.owns()));
        if (!hidden.any()) {
            Object parsed;
            try {
                parsed = parse(q);
            } catch (RuntimeException e) {
                throw SqlErrors.translate(e, q.getSql(), false, 0);
            }
            String other = firstHidden(parsed, caller.owns());
            if (other != null) { // named by a way the scan of the text did not see
                throw notFound(other);
            }
            return;
        }
        Object parsed;
        try {
            parsed = parse(q);
        } catch (RuntimeException e) {
            parsed = null; // whatever the parser said may be about a hidden object: ask it about the text without them
        }
        if (parsed != null && firstHidden(parsed, caller.owns()) == null) {
            return; // the hidden words were aliases or column names
        }
        SqlFieldsQuery without = new SqlFieldsQuery(q).setSql(hidden.sql());
        try {
            parse(without);
        } catch (RuntimeException e) {
            if (SqlErrors.translate(e, hidden.sql(), false, 0) instanceof InvalidSpecException refused) {
                throw hidden.tellBack(refused);
            }
            throw e; // not about the statement (the cluster could not parse it): as it is
        }
        throw notFound(hidden.first());
    }

    /**
     * Whether a name (the parser's form, upper case unless quoted) is one the caller may not see: a table in PUBLIC
     * of another owner, or any schema but PUBLIC. Asked per word of the statement: a map lookup each.
     */
    private Predicate<String> hidden(Predicate<String> owns) {
        Set<String> schemas = new HashSet<>();
        for (String schema : ctx.query().schemaManager().schemaNames()) {
            schemas.add(schema.toUpperCase(Locale.ROOT));
        }
        return name -> {
            if (RegionCaches.SQL_SCHEMA.equals(name)) {
                return false;
            }
            if (H2_META_SCHEMA.equals(name) || schemas.contains(name)) {
                return true;
            }
            return ctx.query().schemaManager().table(RegionCaches.SQL_SCHEMA, name) != null && !owns.test(name);
        };
    }

    /** The statement as Ignite parses it for running (the parse is cached, so running it parses nothing again). */
    private Object parse(SqlFieldsQuery q) {
        QueryParserResult r = ((IgniteH2Indexing) ctx.query().getIndexing()).parser().parse(q.getSchema(), q, false);
        if (r.isSelect()) {
            return r.select().statement();
        }
        if (r.isDml()) {
            return r.dml().statement();
        }
        throw new InvalidSpecException("query", "only SELECT and INSERT/UPDATE/DELETE/MERGE statements are accepted");
    }

    /**
     * The first table of the parsed statement outside the caller's (another owner's, or in another schema), or null; a
     * closed function is refused on sight.
     */
    private static String firstHidden(Object node, Predicate<String> owns) {
        if (node == null) {
            return null;
        }
        if (node instanceof GridSqlTable t) {
            boolean mine = RegionCaches.SQL_SCHEMA.equalsIgnoreCase(t.schema()) && t.dataTable() != null && owns.test(t.tableName());
            return mine ? null : t.tableName();
        }
        if (node instanceof GridSqlFunction f && f.name() != null && CLOSED_FUNCTIONS.contains(f.name().toUpperCase(Locale.ROOT))) {
            throw new InvalidSpecException("query", "the function " + f.name().toUpperCase(Locale.ROOT) + " is not open to a tenant's "
                    + "SQL (it reads files, database metadata or session state)");
        }
        if (node instanceof GridSqlAst a) {
            for (int i = 0; i < a.size(); i++) {
                String hit = firstHidden(a.child(i), owns);
                if (hit != null) {
                    return hit;
                }
            }
            return null;
        }
        if (node instanceof GridSqlInsert ins) {
            return first(owns, ins.into(), ins.query(), ins.rows());
        }
        if (node instanceof GridSqlMerge m) {
            return first(owns, m.into(), m.query(), m.rows());
        }
        if (node instanceof GridSqlUpdate u) {
            return first(owns, u.target(), u.where(), u.set() == null ? null : java.util.List.copyOf(u.set().values()));
        }
        if (node instanceof GridSqlDelete d) {
            return first(owns, d.from(), d.where());
        }
        throw new IllegalStateException("unexpected statement in a tenant's SQL: " + node.getClass().getSimpleName());
    }

    /** The first hidden table among parts: AST nodes, lists of them, and rows (arrays of them). */
    private static String first(Predicate<String> owns, Object... parts) {
        for (Object part : parts) {
            String hit = null;
            if (part instanceof Iterable<?> items) {
                for (Object item : items) {
                    hit = item instanceof GridSqlElement[] row ? first(owns, (Object[]) row) : firstHidden(item, owns);
                    if (hit != null) {
                        break;
                    }
                }
            } else {
                hit = firstHidden(part, owns);
            }
            if (hit != null) {
                return hit;
            }
        }
        return null;
    }

    /** The parser's words for a table that does not exist. */
    static HiddenObjectException notFound(String table) {
        return new HiddenObjectException("query", "Table \"" + table + "\" not found");
    }
}
