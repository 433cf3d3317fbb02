package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import io.dih.server.json.Json;
import io.dih.server.query.SqlCaller;
import io.dih.server.query.SqlColumn;
import io.dih.server.query.SqlRequest;
import io.dih.server.query.SqlResult;
import io.dih.server.query.SqlService;
import io.dih.server.query.SqlStatements;
import io.dih.server.security.ForbiddenException;
import io.dih.server.security.Principal;
import io.dih.server.security.Role;
import io.dih.server.security.TenantPolicy;
import io.dih.spi.InvalidSpecException;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiDescription;
import io.javalin.openapi.OpenApiName;
import io.javalin.openapi.OpenApiNullable;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiRequired;
import io.javalin.openapi.OpenApiResponse;
import java.util.List;

/** {@code /api/v1/dih/sql-query}: one SQL statement over REST, its rows page by page. */
final class SqlController {
    static final String BASE = GatewayApp.API + "/sql-query";
    static final String PAGES = BASE + "/pages";

    private static final ObjectReader REQUEST = Json.MAPPER.readerFor(SqlRequest.class)
            .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);

    private final SqlService sql;
    private final TenantPolicy policy;

    /** The request body as the OpenAPI document shows it (the service reads it as {@link SqlRequest}). */
    record SqlQuery(@OpenApiRequired String query,
                    @OpenApiDescription("values bound to the ?s in order: strings, numbers, booleans, null") List<Object> params,
                    @OpenApiName("page_size") @OpenApiDescription("rows per page, 1 to 10000; default 1000") Integer pageSize,
                    @OpenApiName("timeout_ms") @OpenApiDescription("per request (first page, each later one), 1 to 600000; default 30000") Long timeoutMs,
                    @OpenApiName("distributed_joins") @OpenApiDescription("default false: each node joins only the rows it holds, which is complete when every "
                            + "join of two PARTITIONED regions is on their placing columns (each region's affinity_key, or its "
                            + "one key column), of the same type; true for any other join of PARTITIONED regions (slower; the "
                            + "joined column needs an index). An inner join with a REPLICATED region is always complete; an outer join "
                            + "that keeps a REPLICATED region's unmatched rows against a PARTITIONED one is refused")
                    Boolean distributedJoins,
                    @OpenApiDescription("the plan as rows instead of the result (SELECT only)") Boolean explain) {
    }

    /** The answer to a statement as the OpenAPI document shows it: a page ({@link SqlResult.Page}) or a count ({@link SqlResult.Update}). */
    record SqlAnswer(@OpenApiDescription("SELECT: the columns, each name and SQL type") List<SqlColumn> columns,
                     @OpenApiDescription("SELECT: arrays of values in column order") List<List<Object>> rows,
                     @OpenApiName("next_page") @OpenApiNullable @OpenApiDescription("SELECT: the next page's token while rows remain, else null") String nextPage,
                     @OpenApiDescription("DML only (and then alone): rows inserted, updated, deleted or merged") Long updated) {
    }

    /** A page of rows as the OpenAPI document shows it ({@link SqlResult.Page}). */
    record SqlPage(List<SqlColumn> columns,
                   @OpenApiDescription("arrays of values in column order") List<List<Object>> rows,
                   @OpenApiName("next_page") @OpenApiNullable @OpenApiDescription("the next page's token while rows remain, else null") String nextPage) {
    }

    SqlController(SqlService sql, TenantPolicy policy) {
        this.sql = requireNonNull(sql, "sql is null");
        this.policy = requireNonNull(policy, "policy is null");
    }

    /** The SQL side of a principal: a tenant's statements name only its own tables, its cursors are its own. */
    static SqlCaller caller(Principal p) {
        return p.operator() ? SqlCaller.OPERATOR : new SqlCaller(p.tenant(), p::owns);
    }

    @OpenApi(path = BASE, methods = HttpMethod.POST, tags = "SQL", operationId = "sqlQuery",
            summary = "Run one SELECT or INSERT/UPDATE/DELETE/MERGE over the regions' tables; values bound to ? placeholders",
            description = "Body (seed 004): {\"query\": \"SELECT * FROM orders WHERE status = ? AND total > ?\", \"params\": [\"NEW\", 100], "
                    + "\"page_size\": 1000}; optional timeout_ms (default 30000, at most 600000; per request), distributed_joins "
                    + "(false: a join of PARTITIONED regions is complete only on their affinity columns; see the field), explain (false: the plan as rows instead). params are always bound as arguments, never pasted into "
                    + "the SQL. A SELECT answers {\"columns\": [{\"name\", \"type\"}], \"rows\": [[...]], \"next_page\": token|null}: "
                    + "rows are arrays in column order; DECIMAL exact, TIMESTAMP ISO-8601 UTC, DATE yyyy-MM-dd, binary base64, UUID "
                    + "strings. While next_page is not null the cursor stays open on this node: GET /sql-query/pages/{token} for the "
                    + "next page, DELETE to close it early; idle cursors close after 60 s, a node keeps at most 100 open. DML "
                    + "answers {\"updated\": n}. DDL is refused (use the regions API), as are several statements in one query. A tenant's "
                    + "statement may name only its own regions' tables: another tenant's table, a system view or a schema other than "
                    + "PUBLIC is answered exactly as a table that does not exist, and functions reading files, metadata or session "
                    + "state are refused.",
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = SqlQuery.class)),
            responses = {
                @OpenApiResponse(status = "200", description = "A page of rows (SELECT) or {\"updated\": n} (DML)",
                        content = @OpenApiContent(from = SqlAnswer.class)),
                @OpenApiResponse(status = "400", description = "Bad body, DDL, several statements, a syntax error (with its position), "
                        + "an unknown table or column, a parameter that does not convert", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "408", description = "The query ran past timeout_ms and was cancelled on the server",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", description = "DML: a duplicate key (INSERT of a key that exists)",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "422", description = "DML on a WRITE_THROUGH region: the source refused the change",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "503", description = "This node has its limit of open cursors, or the cluster cannot run the query",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void query(Context ctx) {
        SqlRequest request = read(ctx);
        Principal p = AccessGuard.principal(ctx);
        if (SqlStatements.classify(request.query()) == SqlStatements.Kind.DML) {
            if (!p.role().covers(Role.WRITER)) {
                throw new ForbiddenException("INSERT, UPDATE, DELETE and MERGE need the 'writer' role; the credential has '" + p.role().wireName() + "'");
            }
            if (SqlStatements.mayAddRows(request.query())) {
                policy.mayAddEntries(p, 1);
            }
        }
        write(ctx, 200, sql.execute(request, caller(p)));
    }

    /** The body, with decimal parameters kept as written (19.90 stays 19.90, scale included). */
    private static SqlRequest read(Context ctx) {
        if (ctx.body().isBlank()) {
            throw new InvalidSpecException("body", "the request body is empty; send a JSON object with a query");
        }
        try {
            SqlRequest r = REQUEST.readValue(ctx.body());
            if (r == null) {
                throw new InvalidSpecException("body", "must be a JSON object, got null");
            }
            return r;
        } catch (JsonProcessingException e) {
            throw Json.toInvalidSpec(e, "body");
        }
    }

    @OpenApi(path = PAGES + "/{token}", methods = HttpMethod.GET, tags = "SQL", operationId = "sqlNextPage",
            summary = "The next page of a query's rows; next_page is null on the last one (the cursor is then closed)",
            description = "Send the token to the node that answered the query: cursors live on the node that opened them.",
            pathParams = @OpenApiParam(name = "token", required = true, description = "next_page of the previous answer"),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = SqlPage.class)),
                @OpenApiResponse(status = "404", description = "Unknown token: read to the end, closed, expired (60 s idle), or another node's",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "408", description = "The page took longer than the query's timeout_ms; the cursor is closed",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void next(Context ctx) {
        write(ctx, 200, sql.next(ctx.pathParam("token"), caller(AccessGuard.principal(ctx))));
    }

    @OpenApi(path = PAGES + "/{token}", methods = HttpMethod.DELETE, tags = "SQL", operationId = "sqlClose",
            summary = "Close a query's cursor before its last page",
            pathParams = @OpenApiParam(name = "token", required = true, description = "next_page of the last answer"),
            responses = {
                @OpenApiResponse(status = "204"),
                @OpenApiResponse(status = "404", description = "Unknown token", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void close(Context ctx) {
        sql.close(ctx.pathParam("token"), caller(AccessGuard.principal(ctx)));
        ctx.status(204);
    }

    /** Decimals are written as they are stored: plain digits, every digit of the scale, never through a double. */
    private static void write(Context ctx, int status, Object value) {
        try {
            ctx.status(status).contentType("application/json")
                    .result(Json.MAPPER.writer().with(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN).writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write response", e);
        }
    }
}
