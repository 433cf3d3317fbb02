package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.server.source.SourceRegistry;
import io.dih.server.sync.IngestDeadLetters;
import io.dih.server.sync.IngestRetry;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiResponse;
import java.util.List;

/**
 * A source's ingest dead letters (rows, changes and messages its regions could not take):
 * {@code /data-sources/{name}/dead-letters}.
 */
final class IngestDeadLetterController {
    static final String BASE = SourceController.BASE + "/{name}/dead-letters";

    private final SourceRegistry sources;
    private final IngestDeadLetters letters;
    private final IngestRetry retries;

    IngestDeadLetterController(SourceRegistry sources, IngestDeadLetters letters, IngestRetry retries) {
        this.sources = requireNonNull(sources, "sources is null");
        this.letters = requireNonNull(letters, "letters is null");
        this.retries = requireNonNull(retries, "retries is null");
    }

    record LetterList(@JsonProperty("source") String source, @JsonProperty("count") long count,
                      @JsonProperty("dead_letters") List<IngestDeadLetters.IngestLetter> deadLetters) {
    }

    record Retried(@JsonProperty("id") String id, @JsonProperty("state") IngestRetry.RetryState state) {
    }

    /** The source's name as registered (a 404 when there is no such source). */
    private String source(Context ctx) {
        return sources.spec(ctx.pathParam("name")).sourceName();
    }

    @OpenApi(path = BASE, methods = HttpMethod.GET, tags = "Sources", operationId = "listIngestDeadLetters",
            summary = "Rows, changes and messages the source's regions could not take (oldest first): region, op, key, position, "
                    + "payload as sent, error, time",
            pathParams = @OpenApiParam(name = "name", required = true),
            queryParams = @OpenApiParam(name = "limit", description = "at most this many (1-1000, default 100)"),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = LetterList.class)),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void list(Context ctx) {
        String source = source(ctx);
        int limit = Bodies.limit(ctx, "limit", 100, 1000);
        Bodies.json(ctx, 200, new LetterList(source, letters.count(source), letters.list(source, limit)));
    }

    @OpenApi(path = BASE + "/{id}/retry", methods = HttpMethod.POST, tags = "Sources", operationId = "retryIngestDeadLetter",
            summary = "Apply a dead letter again (after adding the column or fixing the mapping that made it fail)",
            description = "200 with {id, state: APPLIED | SUPERSEDED}: applied and removed, or older than what its key has now "
                    + "(removed). 409 when it still cannot be applied (the letter stays) or is a message the connector could not read.",
            pathParams = {@OpenApiParam(name = "name", required = true), @OpenApiParam(name = "id", required = true)},
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Retried.class)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void retry(Context ctx) {
        String id = ctx.pathParam("id");
        Bodies.json(ctx, 200, new Retried(id, retries.retry(source(ctx), id)));
    }

    @OpenApi(path = BASE + "/{id}", methods = HttpMethod.DELETE, tags = "Sources", operationId = "dropIngestDeadLetter",
            summary = "Drop a dead letter (its row, change or message is given up)",
            pathParams = {@OpenApiParam(name = "name", required = true), @OpenApiParam(name = "id", required = true)},
            responses = {
                @OpenApiResponse(status = "204"),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void drop(Context ctx) {
        letters.drop(source(ctx), ctx.pathParam("id"));
        ctx.status(204);
    }
}
