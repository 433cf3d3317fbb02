package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.api.CacheStrategy;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.server.sync.DeadLetters;
import io.dih.server.sync.SyncEngine;
import io.dih.server.sync.WriteBehindStatuses;
import io.dih.spi.InvalidSpecException;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiResponse;
import java.util.List;

/** A WRITE_BEHIND region's queue and dead letters: {@code /cache-regions/{name}/write-behind} and {@code .../dead-letters}. */
final class SyncController {
    static final String WRITE_BEHIND = RegionController.BASE + "/{name}/write-behind";
    static final String DEAD_LETTERS = RegionController.BASE + "/{name}/dead-letters";

    private final RegionService regions;
    private final SyncEngine sync;

    SyncController(RegionService regions, SyncEngine sync) {
        this.regions = requireNonNull(regions, "regions is null");
        this.sync = requireNonNull(sync, "sync is null");
    }

    record DeadLetterList(@JsonProperty("region") String region, @JsonProperty("count") long count,
                          @JsonProperty("dead_letters") List<DeadLetters.DeadLetter> deadLetters) {
    }

    /**
     * A retried dead letter: {@code state} QUEUED (its write is queued again; refused again, it comes back under the
     * same {@code id}) or SUPERSEDED (a newer pending write of the key wins; the letter is gone).
     */
    record Retried(@JsonProperty("id") String id, @JsonProperty("state") DeadLetters.RetryState state,
                   @JsonProperty("requeued") boolean requeued, @JsonProperty("detail") String detail) {
    }

    private Region writeBehindRegion(Context ctx) {
        Region r = regions.get(ctx.pathParam("name"));
        if (r.spec().cacheStrategy() != CacheStrategy.WRITE_BEHIND) {
            throw new InvalidSpecException("name", "region '" + r.name() + "' uses " + r.spec().cacheStrategy()
                    + "; only WRITE_BEHIND regions have a write queue and dead letters");
        }
        return r;
    }

    @OpenApi(path = WRITE_BEHIND, methods = HttpMethod.GET, tags = "Sync", operationId = "writeBehindStatus",
            summary = "A WRITE_BEHIND region's queue: pending writes, oldest pending age, writes/s, retries, dead letters, state",
            pathParams = @OpenApiParam(name = "name", required = true),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = WriteBehindStatuses.WriteBehindStatus.class)),
                @OpenApiResponse(status = "400", description = "Not a WRITE_BEHIND region", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void status(Context ctx) {
        Bodies.json(ctx, 200, sync.writeBehindStatus(writeBehindRegion(ctx)));
    }

    @OpenApi(path = DEAD_LETTERS, methods = HttpMethod.GET, tags = "Sync", operationId = "listDeadLetters",
            summary = "Writes the region's source refused for good (oldest first), with key, value, error and time",
            pathParams = @OpenApiParam(name = "name", required = true),
            queryParams = @OpenApiParam(name = "limit", description = "at most this many (1-1000, default 100)"),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = DeadLetterList.class)),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void list(Context ctx) {
        Region r = writeBehindRegion(ctx);
        int limit = Bodies.limit(ctx, "limit", 100, 1000);
        Bodies.json(ctx, 200, new DeadLetterList(r.name(), sync.deadLetters().count(r), sync.deadLetters().list(r, limit)));
    }

    @OpenApi(path = DEAD_LETTERS + "/{id}/retry", methods = HttpMethod.POST, tags = "Sync", operationId = "retryDeadLetter",
            summary = "Queue a dead letter's write again, as recorded (a newer pending write of the key wins instead)",
            description = "202 with {id, state: QUEUED | SUPERSEDED}. The letter leaves the list; a queued write the source refuses again "
                    + "comes back as a dead letter with the same id, so it can be retried or dropped by that id again.",
            pathParams = {@OpenApiParam(name = "name", required = true), @OpenApiParam(name = "id", required = true)},
            responses = {
                @OpenApiResponse(status = "202", content = @OpenApiContent(from = Retried.class)),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void retry(Context ctx) {
        Region r = writeBehindRegion(ctx);
        String id = ctx.pathParam("id");
        DeadLetters.RetryState state = sync.deadLetters().retry(r, id);
        boolean requeued = state == DeadLetters.RetryState.QUEUED;
        Bodies.json(ctx, 202, new Retried(id, state, requeued, requeued
                ? "queued again; watch GET " + WRITE_BEHIND.replace("{name}", r.name()) + "; if the source refuses it again, it is dead letter '"
                        + id + "' again"
                : "a newer write of the key is pending; it supersedes this one"));
    }

    @OpenApi(path = DEAD_LETTERS + "/{id}", methods = HttpMethod.DELETE, tags = "Sync", operationId = "dropDeadLetter",
            summary = "Drop a dead letter (its write is given up)",
            pathParams = {@OpenApiParam(name = "name", required = true), @OpenApiParam(name = "id", required = true)},
            responses = {
                @OpenApiResponse(status = "204"),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void drop(Context ctx) {
        sync.deadLetters().drop(writeBehindRegion(ctx), ctx.pathParam("id"));
        ctx.status(204);
    }
}
