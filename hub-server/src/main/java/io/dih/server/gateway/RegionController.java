package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.api.RegionSpec;
import io.dih.server.region.RegionService;
import io.dih.server.region.RegionStats;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;
import java.util.List;

/** {@code /api/v1/dih/cache-regions}: HTTP in and out; {@link RegionService} does the work. */
final class RegionController {
    static final String BASE = GatewayApp.API + "/cache-regions";

    private final RegionService regions;

    RegionController(RegionService regions) {
        this.regions = requireNonNull(regions, "regions is null");
    }

    record RegionList(@JsonProperty("regions") List<RegionSpec> regions) {
    }

    @OpenApi(path = BASE, methods = HttpMethod.POST, tags = "Regions", operationId = "createRegion",
            summary = "Create a cache region (an Ignite cache and an SQL table of the same name)",
            description = "Seed 004's body is accepted as written. The same spec again is a no-op (200); another spec under the same name is a 409.",
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = RegionSpec.class)),
            responses = {
                @OpenApiResponse(status = "201", description = "Created; the body is the normalized spec", content = @OpenApiContent(from = RegionSpec.class)),
                @OpenApiResponse(status = "200", description = "The same spec was already registered", content = @OpenApiContent(from = RegionSpec.class)),
                @OpenApiResponse(status = "400", description = "Invalid spec", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", description = "A different region of that name exists", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void create(Context ctx) {
        RegionService.Created c = regions.create(Bodies.read(ctx, RegionSpec.class));
        ctx.header("Location", BASE + "/" + c.spec().name());
        Bodies.json(ctx, c.created() ? 201 : 200, c.spec());
    }

    @OpenApi(path = BASE, methods = HttpMethod.GET, tags = "Regions", operationId = "listRegions", summary = "List cache regions",
            responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = RegionList.class)))
    void list(Context ctx) {
        Bodies.json(ctx, 200, new RegionList(regions.list()));
    }

    @OpenApi(path = BASE + "/{name}", methods = HttpMethod.GET, tags = "Regions", operationId = "getRegion", summary = "Get a region's spec",
            pathParams = @OpenApiParam(name = "name", required = true),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = RegionSpec.class)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void get(Context ctx) {
        Bodies.json(ctx, 200, regions.get(ctx.pathParam("name")).spec());
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
