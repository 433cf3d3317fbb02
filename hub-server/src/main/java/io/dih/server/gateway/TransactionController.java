package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.query.TransactionResult;
import io.dih.server.query.TransactionService;
import io.dih.server.security.Principal;
import io.dih.server.security.TenantPolicy;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;

/** {@code /api/v1/dih/transactions}: ACID transactions over REST, as seed 004 writes them. */
final class TransactionController {
    static final String BASE = GatewayApp.API + "/transactions";

    private static final String EXAMPLE = """
            {"operations": [
              {"region": "account_balances", "operation": "increment", "data": {"key": "account_123", "updates": {"balance": -100.00}},
               "require": {"balance": {"min": 0}}},
              {"region": "account_balances", "operation": "increment", "data": {"key": "account_456", "updates": {"balance": 100.00}}}],
             "isolation": "SERIALIZABLE", "timeout": 5000}""";

    private final TransactionService transactions;
    private final TenantPolicy policy;

    TransactionController(TransactionService transactions, TenantPolicy policy) {
        this.policy = requireNonNull(policy, "policy is null");
        this.transactions = requireNonNull(transactions, "transactions is null");
    }

    @OpenApi(path = BASE, methods = HttpMethod.POST, tags = "Transactions", operationId = "executeTransaction",
            summary = "Run operations on TRANSACTIONAL regions as one ACID transaction: all are applied or none",
            description = "Body (seed 004): {\"operations\": [{\"region\", \"operation\", \"data\": {\"key\", \"updates\"}, \"require\"}], "
                    + "\"isolation\", \"timeout\" (ms, default 10000)}. Operations: get; put (replace the row with updates); "
                    + "update (set the given columns of an existing row); increment (add the numbers in updates to numeric columns); "
                    + "insert (a new key only); delete (an existing key). Each operation sees the ones before it. An optional "
                    + "require {\"<column>\": {\"min\"|\"max\"|\"equals\": value}} must hold for the row after the operation. "
                    + "Keys and values are written as the entries API writes them. Isolation: READ_COMMITTED (PESSIMISTIC: keys "
                    + "written are locked before the operations run; reads see committed rows), REPEATABLE_READ (default; "
                    + "PESSIMISTIC: every key touched is locked, in one global order, until the commit), SERIALIZABLE (OPTIMISTIC: "
                    + "no locks; the commit fails if a row read changed, and the transaction is retried up to 20 times, then 409); "
                    + "READ_UNCOMMITTED runs as READ_COMMITTED. WRITE_THROUGH regions write their source in the commit (a refusal "
                    + "rolls everything back: 422); WRITE_BEHIND regions queue the write durably in the same commit. At most 1000 "
                    + "operations (query.max_transaction_operations). A transaction that writes a region fed by a SESSION source "
                    + "and came without an X-DIH-Session header is handed a token in one; a token sent is echoed. A transfer: " + EXAMPLE,
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = Object.class)),
            responses = {
                @OpenApiResponse(status = "200", description = "Committed: each operation's row before and after (null: no row)",
                        content = @OpenApiContent(from = TransactionResult.class)),
                @OpenApiResponse(status = "400", description = "Invalid body, an unknown or ATOMIC region, an unknown column, too many operations; "
                        + "the field names the operation (operations[1].data.updates.balance)", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", description = "An update, increment or delete of a key that is not there; nothing applied",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "408", description = "The timeout passed (e.g. waiting for a locked row); nothing applied",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", description = "A guard failed, an insert found its key, or SERIALIZABLE kept conflicting; nothing applied",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "422", description = "A WRITE_THROUGH source refused a row; nothing applied anywhere",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "507", description = "A put or insert would take a region past its eviction_max_size; nothing applied",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "503", description = "The cluster changed (a node left) or a source is unreachable; nothing applied, retry",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void execute(Context ctx) {
        String session = SessionTokens.of(ctx);
        JsonNode body = Bodies.tree(ctx);
        Principal p = AccessGuard.principal(ctx);
        policy.mayAddEntries(p, adding(body));
        TransactionResult result = transactions.execute(body, p::owns);
        SessionTokens.answer(ctx, session, result.wroteSessionRegion());
        Bodies.json(ctx, 200, result);
    }

    /** How many operations may add an entry: puts and inserts (updates, increments and deletes add none). */
    private static int adding(JsonNode body) {
        int n = 0;
        for (JsonNode op : body.path("operations")) {
            String kind = op.path("operation").asText("");
            if (kind.equalsIgnoreCase("put") || kind.equalsIgnoreCase("insert")) {
                n++;
            }
        }
        return n;
    }
}
