package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.region.EntryService;
import io.dih.server.security.TenantPolicy;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;
import java.util.List;
import java.util.Map;

/** {@code /api/v1/dih/cache-regions/{name}/entries}: one entry or a batch, as JSON rows. */
final class EntryController {
    static final String BASE = RegionController.BASE + "/{name}/entries";

    private final EntryService entries;
    private final TenantPolicy policy;

    EntryController(EntryService entries, TenantPolicy policy) {
        this.policy = requireNonNull(policy, "policy is null");
        this.entries = requireNonNull(entries, "entries is null");
    }

    /** Checks and echoes the session token (issuing one for a write to a SESSION region); before any work is done. */
    private void session(Context ctx, boolean write) {
        SessionTokens.answer(ctx, SessionTokens.of(ctx), write && entries.sessionConsistent(ctx.pathParam("name")));
    }

    record BatchPut(@JsonProperty("entries") Map<String, JsonNode> entries) {
    }

    record BatchPutResult(@JsonProperty("stored") int stored, @JsonProperty("created") int created) {
    }

    record BatchGetRequest(@JsonProperty("keys") List<String> keys) {
    }

    record BatchGetResult(@JsonProperty("entries") Map<String, ObjectNode> entries, @JsonProperty("missing") List<String> missing) {
    }

    @OpenApi(path = BASE + "/{key}", methods = HttpMethod.GET, tags = "Entries", operationId = "getEntry",
            summary = "Read one entry as a JSON row (key columns and value columns)",
            description = "A composite key is written as its parts in key_fields order, comma-separated.",
            pathParams = {@OpenApiParam(name = "name", required = true), @OpenApiParam(name = "key", required = true)},
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Object.class)),
                @OpenApiResponse(status = "400", description = "The key does not parse for the key type", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void get(Context ctx) {
        session(ctx, false);
        Bodies.json(ctx, 200, entries.get(ctx.pathParam("name"), ctx.pathParam("key")));
    }

    @OpenApi(path = BASE + "/{key}", methods = HttpMethod.PUT, tags = "Entries", operationId = "putEntry",
            summary = "Store (replace) one entry; the body is a JSON object of column values",
            description = "PUT replaces the whole row: columns the body leaves out become null, in the region and, through "
                    + "WRITE_THROUGH or WRITE_BEHIND, in the source. To change some columns only, use PATCH, which merges.",
            pathParams = {@OpenApiParam(name = "name", required = true), @OpenApiParam(name = "key", required = true)},
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = Object.class)),
            responses = {
                @OpenApiResponse(status = "201", description = "A new entry", content = @OpenApiContent(from = Object.class)),
                @OpenApiResponse(status = "200", description = "An entry replaced", content = @OpenApiContent(from = Object.class)),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "507", description = "The region is full", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void put(Context ctx) {
        session(ctx, true);
        policy.mayAddEntries(AccessGuard.principal(ctx), 1);
        EntryService.Put result = entries.put(ctx.pathParam("name"), ctx.pathParam("key"), Bodies.tree(ctx));
        Bodies.json(ctx, result.created() ? 201 : 200, result.row());
    }

    @OpenApi(path = BASE + "/{key}", methods = HttpMethod.PATCH, tags = "Entries", operationId = "patchEntry",
            summary = "Merge columns into one existing entry; the answer is the merged row",
            description = "PATCH merges, PUT replaces: the body's columns replace theirs (a JSON null sets a column to null) and "
                    + "every column the body leaves out keeps its value, in the region and in the source (WRITE_THROUGH and "
                    + "WRITE_BEHIND get the whole merged row). On TRANSACTIONAL regions the read and the write are one "
                    + "transaction; on ATOMIC regions the write is a compare-and-replace, retried while the entry changes. "
                    + "A key that is not there (nor, read-through, in the source) is a 404; nothing is created.",
            pathParams = {@OpenApiParam(name = "name", required = true), @OpenApiParam(name = "key", required = true)},
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = Object.class)),
            responses = {
                @OpenApiResponse(status = "200", description = "The merged row", content = @OpenApiContent(from = Object.class)),
                @OpenApiResponse(status = "400", description = "Not a JSON object, a value of the wrong type, or a field that is not a column",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", description = "No such region or entry", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", description = "ATOMIC region: the entry kept changing", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "422", description = "The source refused the merged row (WRITE_THROUGH)", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "503", description = "The source is unreachable (WRITE_THROUGH)", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void patch(Context ctx) {
        session(ctx, true);
        Bodies.json(ctx, 200, entries.patch(ctx.pathParam("name"), ctx.pathParam("key"), Bodies.tree(ctx)));
    }

    @OpenApi(path = BASE + "/{key}", methods = HttpMethod.DELETE, tags = "Entries", operationId = "deleteEntry", summary = "Remove one entry",
            pathParams = {@OpenApiParam(name = "name", required = true), @OpenApiParam(name = "key", required = true)},
            responses = {
                @OpenApiResponse(status = "204"),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void delete(Context ctx) {
        session(ctx, true);
        entries.delete(ctx.pathParam("name"), ctx.pathParam("key"));
        ctx.status(204);
    }

    @OpenApi(path = BASE, methods = HttpMethod.PUT, tags = "Entries", operationId = "putEntries",
            summary = "Store up to 1000 entries, all or none: {\"entries\": {\"<key>\": {<columns>}, ...}}",
            pathParams = @OpenApiParam(name = "name", required = true),
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = BatchPut.class)),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = BatchPutResult.class)),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "507", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void putAll(Context ctx) {
        session(ctx, true);
        BatchPut body = Bodies.read(ctx, BatchPut.class);
        policy.mayAddEntries(AccessGuard.principal(ctx), body.entries() == null ? 0 : body.entries().size());
        int created = entries.putAll(ctx.pathParam("name"), body.entries());
        Bodies.json(ctx, 200, new BatchPutResult(body.entries().size(), created));
    }

    @OpenApi(path = BASE + "/batch-get", methods = HttpMethod.POST, tags = "Entries", operationId = "getEntries",
            summary = "Read up to 1000 entries: {\"keys\": [\"k1\", \"k2\"]}",
            pathParams = @OpenApiParam(name = "name", required = true),
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = BatchGetRequest.class)),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = BatchGetResult.class)),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void getAll(Context ctx) {
        session(ctx, false);
        BatchGetRequest body = Bodies.read(ctx, BatchGetRequest.class);
        EntryService.BatchGet result = entries.getAll(ctx.pathParam("name"), body.keys());
        Bodies.json(ctx, 200, new BatchGetResult(result.entries(), result.missing()));
    }
}
