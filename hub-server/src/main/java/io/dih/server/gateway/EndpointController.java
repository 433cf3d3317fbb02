package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.dih.api.EndpointSpec;
import io.dih.server.query.CompiledEndpoint;
import io.dih.server.query.EndpointResult;
import io.dih.server.query.EndpointRunner;
import io.dih.server.query.EndpointService;
import io.dih.server.security.Principal;
import io.dih.server.security.TenantPolicy;
import io.dih.spi.InvalidSpecException;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/dih/api-endpoints} (templated endpoints) and {@code /api/v1/dih/query/{path}} (calling them). An
 * endpoint's path may have several segments ({@code session/validate}): in these URLs it is written as it is, slashes
 * included ({@code GET /api-endpoints/session/validate}, {@code POST /query/session/validate}).
 */
final class EndpointController {
    static final String BASE = GatewayApp.API + "/api-endpoints";
    static final String QUERY = GatewayApp.API + "/query";
    /** Javalin's slash-accepting path parameter: the endpoint's whole path. */
    static final String PATH = "/<path>";
    private static final String PATH_DOC = "The endpoint's path as registered, slashes included (e.g. session/validate); letter case is ignored";

    private final org.apache.ignite.Ignite ignite;
    private final EndpointService endpoints;
    private final EndpointRunner runner;

    EndpointController(org.apache.ignite.Ignite ignite, EndpointService endpoints, EndpointRunner runner) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.endpoints = requireNonNull(endpoints, "endpoints is null");
        this.runner = requireNonNull(runner, "runner is null");
    }

    record EndpointList(@JsonProperty("endpoints") List<EndpointSpec> endpoints) {
    }

    /** What an endpoint call answers, for the OpenAPI document. */
    record ResultDoc(@JsonProperty("rows") List<Map<String, Object>> rows, @JsonProperty("columns") List<String> columns,
                     @JsonProperty("cached") boolean cached, @JsonProperty("truncated") boolean truncated) {
    }

    /** One node's counters of an endpoint, for the OpenAPI document. */
    record NodeStatsDoc(@JsonProperty("node") String node, @JsonProperty("calls") long calls, @JsonProperty("hits") long hits,
                        @JsonProperty("misses") long misses, @JsonProperty("errors") long errors,
                        @JsonProperty("cached_answers") int cachedAnswers,
                        @JsonProperty("latency_ms_p50") double p50, @JsonProperty("latency_ms_p99") double p99) {
    }

    /** An endpoint's counters over the cluster and per node, for the OpenAPI document. */
    record StatsDoc(@JsonProperty("path") String path, @JsonProperty("calls") long calls, @JsonProperty("hits") long hits,
                    @JsonProperty("misses") long misses, @JsonProperty("errors") long errors,
                    @JsonProperty("cached_answers") int cachedAnswers,
                    @JsonProperty("latency_ms_p50") double p50, @JsonProperty("latency_ms_p99") double p99,
                    @JsonProperty("nodes") List<NodeStatsDoc> nodes) {
    }

    @OpenApi(path = BASE, methods = HttpMethod.POST, tags = "Endpoints", operationId = "registerEndpoint",
            summary = "Register a templated API endpoint: a SELECT with {name} placeholders, bound as SQL parameters",
            description = "Seed 004's body is accepted as written (path, cache_regions, query_template, cache_key_pattern, ttl_seconds), "
                    + "plus optional parameters {name: {type, required, default}} and max_rows (1000). A placeholder may be written "
                    + "{token} or '{token}'; either way its value is bound, never put into the SQL text. The template must be one "
                    + "SELECT over the listed regions, and compile. The same spec again is a no-op (200); another spec under the same path is a 409. "
                    + "A tenant's endpoint lives under its path (<tenant>/...) and reads only its own regions (another tenant's is "
                    + "answered as one that does not exist).",
            requestBody = @OpenApiRequestBody(required = true, content = @OpenApiContent(from = EndpointSpec.class)),
            responses = {
                @OpenApiResponse(status = "201", description = "Registered; the body is the normalized spec", content = @OpenApiContent(from = EndpointSpec.class)),
                @OpenApiResponse(status = "200", description = "The same spec was already registered", content = @OpenApiContent(from = EndpointSpec.class)),
                @OpenApiResponse(status = "400", description = "Invalid spec or template (unknown region or column, not one SELECT, a bad placeholder)",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", description = "Another endpoint has that path", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void register(Context ctx) {
        EndpointSpec spec = Bodies.read(ctx, EndpointSpec.class);
        Principal p = AccessGuard.principal(ctx);
        TenantPolicy.newEndpoint(p, spec.path());
        EndpointService.Registered r = endpoints.register(spec, SqlController.caller(p));
        Bodies.json(ctx, r.created() ? 201 : 200, r.spec());
    }

    @OpenApi(path = BASE, methods = HttpMethod.GET, tags = "Endpoints", operationId = "listEndpoints", summary = "Every registered endpoint, by path",
            responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = EndpointList.class)))
    void list(Context ctx) {
        Principal p = AccessGuard.principal(ctx);
        Bodies.json(ctx, 200, new EndpointList(endpoints.list().stream().filter(e -> p.ownsEndpoint(e.path())).toList()));
    }

    @OpenApi(path = BASE + "/{path}", methods = HttpMethod.GET, tags = "Endpoints", operationId = "getEndpoint", summary = "One endpoint's spec",
            pathParams = @OpenApiParam(name = "path", required = true, description = PATH_DOC),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = EndpointSpec.class)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void get(Context ctx) {
        Bodies.json(ctx, 200, endpoints.get(ctx.pathParam("path")));
    }

    @OpenApi(path = BASE + "/{path}", methods = HttpMethod.DELETE, tags = "Endpoints", operationId = "deleteEndpoint",
            summary = "Unregister an endpoint; its cached answers go with it",
            pathParams = @OpenApiParam(name = "path", required = true, description = PATH_DOC),
            responses = {
                @OpenApiResponse(status = "204"),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void delete(Context ctx) {
        endpoints.delete(ctx.pathParam("path"));
        ctx.status(204);
    }

    @OpenApi(path = BASE + "/{path}/stats", methods = HttpMethod.GET, tags = "Endpoints", operationId = "endpointStats",
            summary = "An endpoint's calls, cache hits and misses, errors, cached answers and latency (p50/p99 over each node's last 1024 calls): "
                    + "cluster totals, then each server node's",
            pathParams = @OpenApiParam(name = "path", required = true, description = PATH_DOC),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = StatsDoc.class)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void stats(Context ctx) {
        Bodies.json(ctx, 200, runner.stats(ignite, ctx.pathParam("path")));
    }

    @OpenApi(path = QUERY + "/{path}", methods = HttpMethod.POST, tags = "Endpoints", operationId = "callEndpoint",
            summary = "Call an endpoint: the body is a JSON object of its parameters, e.g. {\"token\": \"abc123\"}",
            description = "The answer is cached under the expanded cache_key_pattern for ttl_seconds, and dropped as soon as a region the "
                    + "endpoint reads changes (cached tells which). At most max_rows rows (truncated tells).",
            pathParams = @OpenApiParam(name = "path", required = true, description = PATH_DOC),
            requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = Object.class)),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = ResultDoc.class)),
                @OpenApiResponse(status = "400", description = "A parameter is missing, unknown or of the wrong type (the problem names it)",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", description = "No such endpoint", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void callPost(Context ctx) {
        answer(ctx, runner.run(ctx.pathParam("path"), () -> {
            Map<String, JsonNode> params = new LinkedHashMap<>();
            if (!ctx.body().isBlank()) {
                JsonNode body = Bodies.tree(ctx);
                if (!body.isObject()) {
                    throw new InvalidSpecException("body", "must be a JSON object of parameters, e.g. {\"token\": \"abc123\"}");
                }
                body.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue()));
            }
            return params;
        }));
    }

    @OpenApi(path = QUERY + "/{path}", methods = HttpMethod.GET, tags = "Endpoints", operationId = "callEndpointGet",
            summary = "Call an endpoint with its parameters in the query string: ?token=abc123",
            pathParams = @OpenApiParam(name = "path", required = true, description = PATH_DOC),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = ResultDoc.class)),
                @OpenApiResponse(status = "400", description = "A parameter is missing, unknown, given twice or of the wrong type",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", description = "No such endpoint", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void callGet(Context ctx) {
        answer(ctx, runner.run(ctx.pathParam("path"), () -> CompiledEndpoint.fromQueryString(ctx.queryParamMap())));
    }

    private static void answer(Context ctx, EndpointResult result) {
        Bodies.json(ctx, 200, result);
    }
}
