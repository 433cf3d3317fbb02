package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.SourceSpec;
import io.dih.server.json.Json;
import io.dih.server.security.TenantPolicy;
import io.dih.server.source.SourceRegistry;
import io.dih.server.sync.SourceStatus;
import io.dih.server.sync.SyncEngine;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;
import java.util.List;
import java.util.Map;

/** {@code /api/v1/dih/data-sources}: HTTP in and out; {@link SourceRegistry} and {@link SyncEngine} do the work. Secrets never leave. */
final class SourceController {
    static final String BASE = GatewayApp.API + "/data-sources";
    /** Rows read from each binding for a dry run when the request gives neither sample_rows nor sample_size. */
    private static final int DRY_RUN_ROWS = 10;

    private final SourceRegistry sources;
    private final SyncEngine sync;
    private final TenantPolicy policy;

    SourceController(SourceRegistry sources, SyncEngine sync, TenantPolicy policy) {
        this.sources = requireNonNull(sources, "sources is null");
        this.sync = requireNonNull(sync, "sync is null");
        this.policy = requireNonNull(policy, "policy is null");
    }

    record SourceList(@JsonProperty("sources") List<SourceSpec> sources) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Validation(@JsonProperty("valid") boolean valid, @JsonProperty("errors") List<FieldError> errors,
                      @JsonProperty("bindings") Map<String, ?> bindings) {
    }

    @OpenApi(path = BASE, methods = HttpMethod.POST, tags = "Sources", operationId = "registerSource",
            summary = "Register a data source: connect, check every binding, add the source's columns to its regions, start the first load",
            description = "Seed 004's body is accepted as written, plus sync_mode (LOAD, CDC, STREAM, NONE) and bindings. "
                    + "The same spec again is a no-op (200); a different spec under the same name is a 409. Secrets are never returned.",
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = SourceSpec.class)),
            responses = {
                @OpenApiResponse(status = "201", content = @OpenApiContent(from = SourceSpec.class)),
                @OpenApiResponse(status = "200", description = "The same spec was already registered", content = @OpenApiContent(from = SourceSpec.class)),
                @OpenApiResponse(status = "400", description = "Invalid spec, unknown type, unreachable host, missing table or column", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void register(Context ctx) {
        SourceSpec spec = Bodies.read(ctx, SourceSpec.class);
        policy.newSource(AccessGuard.principal(ctx), spec.sourceName(), spec.targetRegions(), spec.fallbackSource());
        SourceRegistry.Registered r = sources.register(spec);
        ctx.header("Location", BASE + "/" + r.spec().sourceName());
        Bodies.json(ctx, r.created() ? 201 : 200, r.spec());
    }

    @OpenApi(path = BASE + "/validate", methods = HttpMethod.POST, tags = "Sources", operationId = "validateSource",
            summary = "Check a source spec as registration would (connects, describes tables) without storing anything, and dry-run its transforms",
            description = "The body is a source spec, plus optional sample_rows (a list of rows for every binding, or an object of such lists by "
                    + "region) and sample_size (rows read from each binding when no sample is given: default 10, at most 1000). A valid spec "
                    + "answers bindings: per region, the columns its rows have after the transforms and each sample row as the region would "
                    + "get it ({\"row\": ...}), filtered out ({\"filtered\": true}) or failed ({\"step\": i, \"error\": ...}).",
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = SourceSpec.class)),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Validation.class)),
                @OpenApiResponse(status = "400", description = "The body is not a source spec", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void validate(Context ctx) {
        ObjectNode body = Bodies.read(ctx, ObjectNode.class);
        JsonNode sampleRows = body.remove("sample_rows");
        JsonNode sampleSize = body.remove("sample_size");
        if (sampleSize != null && !sampleSize.canConvertToInt()) {
            throw new InvalidSpecException("sample_size", "must be a whole number");
        }
        SourceSpec spec;
        try {
            spec = Json.MAPPER.treeToValue(body, SourceSpec.class);
        } catch (JsonProcessingException e) {
            throw Json.toInvalidSpec(e, "body");
        }
        policy.newSource(AccessGuard.principal(ctx), spec.sourceName(), spec.targetRegions(), spec.fallbackSource());
        SourceRegistry.Validation v = sources.validate(spec, sampleRows == null ? null : Json.MAPPER.convertValue(sampleRows, Object.class),
                sampleSize == null ? DRY_RUN_ROWS : sampleSize.asInt());
        Bodies.json(ctx, 200, new Validation(v.errors().isEmpty(), v.errors(), v.bindings()));
    }

    @OpenApi(path = BASE, methods = HttpMethod.GET, tags = "Sources", operationId = "listSources", summary = "List data sources (secrets redacted)",
            responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = SourceList.class)))
    void list(Context ctx) {
        Bodies.json(ctx, 200, new SourceList(TenantPolicy.visible(AccessGuard.principal(ctx), sources.list(), SourceSpec::sourceName)));
    }

    @OpenApi(path = BASE + "/{name}", methods = HttpMethod.GET, tags = "Sources", operationId = "getSource", summary = "A data source's spec (secrets redacted)",
            pathParams = @OpenApiParam(name = "name", required = true),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = SourceSpec.class)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void get(Context ctx) {
        Bodies.json(ctx, 200, sources.get(ctx.pathParam("name")));
    }

    @OpenApi(path = BASE + "/{name}", methods = HttpMethod.DELETE, tags = "Sources", operationId = "deleteSource",
            summary = "Unregister a data source; its regions keep their data",
            description = "Refused (409) while writes to the source wait in a write-behind queue, unless ?discard_pending=true "
                    + "(they then stay queued for the next source bound to the region).",
            pathParams = @OpenApiParam(name = "name", required = true),
            queryParams = @OpenApiParam(name = "discard_pending", description = "true: delete even though writes are pending"),
            responses = {
                @OpenApiResponse(status = "204"),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void delete(Context ctx) {
        sources.delete(ctx.pathParam("name"), Bodies.flag(ctx, "discard_pending", false));
        ctx.status(204);
    }

    @OpenApi(path = BASE + "/{name}/sync", methods = HttpMethod.POST, tags = "Sources", operationId = "syncSource",
            summary = "Start a load of every target region now: full (default; rows gone from the source leave the region) or incremental (?full=false, past the watermark)",
            description = "Answers with the loads it started: each region QUEUED (waiting for a loader) or LOADING, with the load's started_at "
                    + "(the load keeps it, so the status shows when that load is done); a region whose load was already running shows that one.",
            pathParams = @OpenApiParam(name = "name", required = true),
            queryParams = @OpenApiParam(name = "full", description = "true (default) or false"),
            responses = {
                @OpenApiResponse(status = "202", content = @OpenApiContent(from = SourceStatus.class)),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void sync(Context ctx) {
        Bodies.json(ctx, 202, sync.sync(ctx.pathParam("name"), Bodies.flag(ctx, "full", true)));
    }

    @OpenApi(path = BASE + "/{name}/pause", methods = HttpMethod.POST, tags = "Sources", operationId = "pauseSource",
            summary = "Pause a CDC source: its engine stops reading; the database keeps the changes (replication slot, binlog) until resume",
            description = "A paused source stays paused when the hub restarts. Its regions keep serving what they have.",
            pathParams = @OpenApiParam(name = "name", required = true),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = SourceStatus.class)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", description = "Not a CDC source", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void pause(Context ctx) {
        Bodies.json(ctx, 200, sync.control(ctx.pathParam("name"), SyncEngine.Control.PAUSE));
    }

    @OpenApi(path = BASE + "/{name}/resume", methods = HttpMethod.POST, tags = "Sources", operationId = "resumeSource",
            summary = "Resume a paused CDC source from its stored offsets (the changes made meanwhile follow)",
            pathParams = @OpenApiParam(name = "name", required = true),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = SourceStatus.class)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", description = "Not a CDC source", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void resume(Context ctx) {
        Bodies.json(ctx, 200, sync.control(ctx.pathParam("name"), SyncEngine.Control.RESUME));
    }

    @OpenApi(path = BASE + "/{name}/restart", methods = HttpMethod.POST, tags = "Sources", operationId = "restartSource",
            summary = "Stop and start a CDC source's engine (it resumes from its stored offsets, on any node); also resumes a paused one",
            pathParams = @OpenApiParam(name = "name", required = true),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = SourceStatus.class)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", description = "Not a CDC source", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void restart(Context ctx) {
        Bodies.json(ctx, 200, sync.control(ctx.pathParam("name"), SyncEngine.Control.RESTART));
    }

    @OpenApi(path = BASE + "/{name}/status", methods = HttpMethod.GET, tags = "Sources", operationId = "sourceStatus",
            summary = "Sync status per target region: state, rows loaded, total, percent, rows/s, ETA, last load, lag, watermark, last error",
            pathParams = @OpenApiParam(name = "name", required = true),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = SourceStatus.class)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void status(Context ctx) {
        Bodies.json(ctx, 200, sync.status(ctx.pathParam("name")));
    }
}
