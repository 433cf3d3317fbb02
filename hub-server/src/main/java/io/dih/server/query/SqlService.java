package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.dih.server.region.RegionCaches;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.query.FieldsQueryCursor;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.internal.IgniteEx;
import org.apache.ignite.internal.processors.cache.QueryCursorImpl;
import org.apache.ignite.internal.processors.query.GridQueryCancel;
import org.apache.ignite.internal.processors.query.GridQueryFieldMetadata;
import org.apache.ignite.internal.processors.query.GridQueryProcessor;
import org.apache.ignite.internal.processors.query.schema.management.TableDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQL over REST: runs one SELECT or DML statement through this node's own Ignite query processor (schema PUBLIC, the
 * regions' tables), with the user's values bound as arguments of its {@code ?} placeholders. A SELECT answers its
 * first page; while rows remain, its cursor stays open on this node under a random token ({@link SqlCursors}). Each
 * request (the first page, each later one) runs under a {@link Deadline}: past {@code timeout_ms} the query is
 * cancelled on the server and the answer is a 408.
 */
public final class SqlService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqlService.class);
    private final GridQueryProcessor queries;
    private final SqlCursors cursors;
    private final SqlScope scope;
    private final ScheduledExecutorService timer;
    private volatile Runnable afterDml = () -> { };

    public SqlService(Ignite ignite, SqlCursors cursors) {
        requireNonNull(ignite, "ignite is null");
        this.queries = ((IgniteEx) ignite).context().query();
        this.cursors = requireNonNull(cursors, "cursors is null");
        this.scope = new SqlScope(ignite);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dih-sql-timer");
            t.setDaemon(true);
            return t;
        });
        long sweep = Math.max(1000, cursors.idleMillis() / 4);
        timer.scheduleWithFixedDelay(cursors::expireIdle, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    /**
     * Installs what runs after every DML statement (committed or not), before it answers: the statement may have
     * changed any region, so cached endpoint answers end there.
     */
    public void afterDml(Runnable listener) {
        this.afterDml = requireNonNull(listener, "listener is null");
    }

    public SqlCursors cursors() {
        return cursors;
    }

    /** Runs the operator's statement: the first page of a query, or the count of rows a DML statement changed. */
    public SqlResult execute(SqlRequest request) {
        return execute(request, SqlCaller.OPERATOR);
    }

    /**
     * Runs the statement for a caller: a tenant's may name only its own tables ({@link SqlScope}; another's is
     * answered as a table that does not exist), and its cursor is its own.
     */
    public SqlResult execute(SqlRequest request, SqlCaller caller) {
        requireNonNull(request, "request is null");
        requireNonNull(caller, "caller is null");
        return SettlingRetry.run(request.timeoutMs(), () -> executeOnce(request, caller));
    }

    private SqlResult executeOnce(SqlRequest request, SqlCaller caller) {
        SqlStatements.Kind kind = SqlStatements.classify(request.query());
        if (request.explain() && kind == SqlStatements.Kind.DML) {
            throw new InvalidSpecException("explain", "shows the plan of a SELECT; this query is DML");
        }
        SqlFieldsQuery q = new SqlFieldsQuery(request.explain() ? "EXPLAIN " + request.query() : request.query())
                .setSchema(RegionCaches.SQL_SCHEMA)
                .setArgs(SqlValues.arguments(request.params()))
                .setDistributedJoins(request.distributedJoins())
                .setPageSize(request.pageSize())
                .setLazy(kind == SqlStatements.Kind.QUERY);
        cursors.reserve();
        GridQueryCancel cancel = new GridQueryCancel();
        FieldsQueryCursor<List<?>> ignite = null;
        SqlCursor cursor = null;
        boolean parked = false;
        Deadline deadline = new Deadline(timer, request.timeoutMs(), cancel);
        try {
            scope.check(request.explain() ? new SqlFieldsQuery(q).setSql(request.query()) : q, caller);
            ignite = queries.querySqlFields(null, q, null, true, true, cancel).get(0);
            Iterator<List<?>> rows = ignite.iterator();
            if (kind == SqlStatements.Kind.DML || !((QueryCursorImpl<?>) ignite).isQuery()) {
                long updated = rows.hasNext() ? ((Number) rows.next().get(0)).longValue() : 0;
                finish(deadline, request.timeoutMs());
                return new SqlResult.Update(updated);
            }
            cursor = new SqlCursor(ignite, rows, columns(ignite), cancel, request.pageSize(), request.timeoutMs(), caller.tenant());
            ArrayNode page = cursor.nextPage();
            boolean more = cursor.hasMore();
            finish(deadline, request.timeoutMs());
            String token = null;
            if (more) {
                token = cursors.putBack(null, cursor);
                parked = true;
            }
            return new SqlResult.Page(cursor.columns(), page, token);
        } catch (RuntimeException e) {
            throw SqlErrors.translate(e, request.query(), deadline.fired(), request.timeoutMs());
        } finally {
            deadline.close();
            if (!parked) {
                if (cursor == null && ignite != null) {
                    close(ignite);
                }
                cursors.release(cursor);
            }
            if (kind == SqlStatements.Kind.DML) {
                dmlDone();
            }
        }
    }

    /** Tells the DML listener; its failure is logged, never put in the place of the statement's own outcome. */
    private void dmlDone() {
        try {
            afterDml.run();
        } catch (RuntimeException e) {
            LOG.warn("Dropping cached endpoint answers after a DML statement failed: {}", e.toString());
        }
    }

    /**
     * The next page of an open cursor; its token stays valid while rows remain. A 404 when the token is unknown, or
     * is another caller's (the operator reads any).
     */
    public SqlResult.Page next(String token, SqlCaller caller) {
        SqlCursor cursor = cursors.take(token, caller);
        boolean parked = false;
        Deadline deadline = new Deadline(timer, cursor.timeoutMillis(), cursor.cancel());
        try {
            ArrayNode page = cursor.nextPage();
            boolean more = cursor.hasMore();
            finish(deadline, cursor.timeoutMillis());
            if (more) {
                cursors.putBack(token, cursor);
                parked = true;
            }
            return new SqlResult.Page(cursor.columns(), page, more ? token : null);
        } catch (RuntimeException e) {
            throw SqlErrors.translate(e, "", deadline.fired(), cursor.timeoutMillis());
        } finally {
            deadline.close();
            if (!parked) {
                cursors.release(cursor);
            }
        }
    }

    /** Closes an open cursor before its last page; a 404 when the token is unknown or another caller's. */
    public void close(String token, SqlCaller caller) {
        cursors.close(token, caller);
    }

    /** The work finished, but if the deadline fired meanwhile the query was cancelled: that is a timeout too. */
    private static void finish(Deadline deadline, long timeoutMillis) {
        deadline.close();
        if (deadline.fired()) {
            throw SqlErrors.timedOut(timeoutMillis);
        }
    }

    private List<SqlColumn> columns(FieldsQueryCursor<List<?>> cursor) {
        List<SqlColumn> out = new ArrayList<>();
        List<GridQueryFieldMetadata> meta = cursor instanceof QueryCursorImpl<?> qc ? qc.fieldsMeta() : null;
        for (int i = 0; i < cursor.getColumnsCount(); i++) {
            String type = meta == null || i >= meta.size() ? "OTHER" : type(meta.get(i));
            out.add(new SqlColumn(cursor.getFieldName(i), type));
        }
        return out;
    }

    /** A column's SQL type; for a table column, the type its region declares (Ignite's metadata calls UUID binary). */
    private String type(GridQueryFieldMetadata meta) {
        String type = SqlValues.typeName(meta.fieldTypeName());
        if ("BINARY".equals(type) && meta.schemaName() != null && meta.typeName() != null && meta.fieldName() != null) {
            TableDescriptor table = queries.schemaManager().table(meta.schemaName(), meta.typeName());
            if (table != null) {
                for (Map.Entry<String, Class<?>> f : table.type().fields().entrySet()) {
                    if (f.getKey().equalsIgnoreCase(meta.fieldName())) {
                        return SqlValues.typeName(f.getValue().getName());
                    }
                }
            }
        }
        return type;
    }

    private static void close(FieldsQueryCursor<List<?>> cursor) {
        try {
            cursor.close();
        } catch (RuntimeException ignored) {
            // the query failed or was cancelled; nothing is left to release
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        cursors.close();
    }
}
