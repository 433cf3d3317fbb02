package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.api.AtomicityMode;
import io.dih.api.CacheMode;
import io.dih.api.CacheStrategy;
import io.dih.api.ExpiryPolicySpec;
import io.dih.api.IndexSpec;
import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import io.dih.server.region.RegionColumn;
import io.dih.server.region.RegionRecord;
import io.dih.server.region.RegionService;
import io.dih.server.region.RegionStats;
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

/** {@code /api/v1/dih/cache-regions}: HTTP in and out; {@link RegionService} does the work. */
final class RegionController {
    static final String BASE = GatewayApp.API + "/cache-regions";

    private final RegionService regions;
    private final TenantPolicy policy;

    RegionController(RegionService regions, TenantPolicy policy) {
        this.policy = requireNonNull(policy, "policy is null");
        this.regions = requireNonNull(regions, "regions is null");
    }

    /**
     * A region as the API shows it: the fields of its normalized spec exactly as {@link RegionSpec} writes them, then
     * {@code columns}, every column of its table in order, with type, key flag and origin ({@code spec} or
     * {@code source:<name>}). The spec's fields are repeated here rather than unwrapped so that the OpenAPI document
     * describes the answer as it is; a test holds them to RegionSpec's.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RegionView(
            @JsonProperty("name") String name,
            @JsonProperty("cache_mode") CacheMode cacheMode,
            @JsonProperty("backups") Integer backups,
            @JsonProperty("atomicity_mode") AtomicityMode atomicityMode,
            @JsonProperty("cache_strategy") CacheStrategy cacheStrategy,
            @JsonProperty("expiry_policy") ExpiryPolicySpec expiryPolicy,
            @JsonProperty("eviction_max_size") Long evictionMaxSize,
            @JsonProperty("indexes") List<IndexSpec> indexes,
            @JsonProperty("key_fields") List<String> keyFields,
            @JsonProperty("fields") Map<String, SqlType> fields,
            @JsonProperty("refresh_ahead_factor") Double refreshAheadFactor,
            @JsonProperty("affinity_key") String affinityKey,
            @JsonProperty("columns") List<RegionColumn> columns) {

        static RegionView of(RegionSpec s, List<RegionColumn> columns) {
            return new RegionView(s.name(), s.cacheMode(), s.backups(), s.atomicityMode(), s.cacheStrategy(), s.expiryPolicy(),
                    s.evictionMaxSize(), s.indexes(), s.keyFields(), s.fields(), s.refreshAheadFactor(), s.affinityKey(), columns);
        }

        static RegionView of(RegionRecord record) {
            return of(record.spec(), record.columnList());
        }
    }

    record RegionList(@JsonProperty("regions") List<RegionView> regions) {
    }

    @OpenApi(path = BASE, methods = HttpMethod.POST, tags = "Regions", operationId = "createRegion",
            summary = "Create a cache region (an Ignite cache and an SQL table of the same name)",
            description = "Seed 004's body is accepted as written. The same spec again is a no-op (200); another spec under the same name is a 409.",
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = RegionSpec.class)),
            responses = {
                @OpenApiResponse(status = "201", description = "Created; the body is the normalized spec and its columns", content = @OpenApiContent(from = RegionView.class)),
                @OpenApiResponse(status = "200", description = "The same spec was already registered; its columns may include those sources added", content = @OpenApiContent(from = RegionView.class)),
                @OpenApiResponse(status = "400", description = "Invalid spec", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", description = "A different region of that name exists", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void create(Context ctx) {
        RegionSpec spec = Bodies.read(ctx, RegionSpec.class);
        policy.newRegion(AccessGuard.principal(ctx), spec.name());
        RegionService.Created c = regions.create(spec);
        ctx.header("Location", BASE + "/" + c.spec().name());
        Bodies.json(ctx, c.created() ? 201 : 200, RegionView.of(c.spec(), c.columns()));
    }

    @OpenApi(path = BASE, methods = HttpMethod.GET, tags = "Regions", operationId = "listRegions", summary = "List cache regions, each with its columns",
            responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = RegionList.class)))
    void list(Context ctx) {
        List<RegionRecord> visible = TenantPolicy.visible(AccessGuard.principal(ctx), regions.records(), r -> r.spec().name());
        Bodies.json(ctx, 200, new RegionList(visible.stream().map(RegionView::of).toList()));
    }

    @OpenApi(path = BASE + "/{name}", methods = HttpMethod.GET, tags = "Regions", operationId = "getRegion",
            summary = "Get a region's spec and its columns",
            description = "The spec's fields are the normalized spec as registered; columns lists every column of the region's table "
                    + "in order: name, type (BIGINT, VARCHAR, DECIMAL, TIMESTAMP…), key, and origin: spec, or source:<source_name> "
                    + "for a column a source's table brought (ALTER TABLE ADD COLUMN).",
            pathParams = @OpenApiParam(name = "name", required = true),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = RegionView.class)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void get(Context ctx) {
        Bodies.json(ctx, 200, RegionView.of(regions.get(ctx.pathParam("name")).record()));
    }

    @OpenApi(path = BASE + "/{name}", methods = HttpMethod.DELETE, tags = "Regions", operationId = "deleteRegion",
            summary = "Delete a region and all its entries on every node",
            description = "A WRITE_BEHIND region whose writes have not all reached its source is kept (409) unless ?discard_pending=true; "
                    + "a region a CDC source feeds is kept (409) until that source is deleted.",
            pathParams = @OpenApiParam(name = "name", required = true),
            queryParams = @OpenApiParam(name = "discard_pending", description = "true: delete even though writes are pending (they are lost)"),
            responses = {
                @OpenApiResponse(status = "204"),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void delete(Context ctx) {
        regions.delete(ctx.pathParam("name"), Bodies.flag(ctx, "discard_pending", false));
        ctx.status(204);
    }

    @OpenApi(path = BASE + "/{name}/stats", methods = HttpMethod.GET, tags = "Regions", operationId = "regionStats",
            summary = "A region's counters per node and in total: size, gets, puts, removals, hits, misses, hit ratio, evictions, average get/put time, off-heap bytes",
            pathParams = @OpenApiParam(name = "name", required = true),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = RegionStats.class)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void stats(Context ctx) {
        Bodies.json(ctx, 200, regions.stats(ctx.pathParam("name")));
    }
}
