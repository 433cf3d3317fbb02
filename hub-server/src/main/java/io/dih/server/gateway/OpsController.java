package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.server.metrics.HubMetrics;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.server.sync.SyncEngine;
import io.dih.spi.InvalidSpecException;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterState;

/** Health, Prometheus metrics, and the two Ignite REST probe commands operators point Kubernetes at. */
final class OpsController {
    private final Ignite ignite;
    private final RegionService regions;
    private final SyncEngine sync;
    private final HubMetrics metrics;

    OpsController(Ignite ignite, RegionService regions, SyncEngine sync, HubMetrics metrics) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.sync = requireNonNull(sync, "sync is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    /**
     * @param status {@code ready} (serving), {@code degraded} (serving, but some region lost partitions, or a
     *               BOUNDED_STALENESS source is past its bound: see {@code degraded_sources}) or {@code inactive}
     *               (the cluster is not active: nothing can be served)
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Health(
            @JsonProperty("status") String status,
            @JsonProperty("node") String node,
            @JsonProperty("node_id") String nodeId,
            @JsonProperty("cluster_state") String clusterState,
            @JsonProperty("cluster_size") int clusterSize,
            @JsonProperty("topology_version") long topologyVersion,
            @JsonProperty("regions") List<String> regions,
            @JsonProperty("lost_partitions") Map<String, Integer> lostPartitions,
            @JsonProperty("degraded_sources") Map<String, String> degradedSources,
            @JsonProperty("ignite_version") String igniteVersion) {
    }

    @OpenApi(path = GatewayApp.API + "/health", methods = HttpMethod.GET, tags = "Operations", operationId = "health",
            summary = "Node and cluster health: 200 when ready or degraded (still serving), 503 when the cluster is inactive",
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Health.class)),
                @OpenApiResponse(status = "503", content = @OpenApiContent(from = Health.class))})
    void health(Context ctx) {
        Health h = health();
        Bodies.json(ctx, "inactive".equals(h.status()) ? 503 : 200, h);
    }

    private Health health() {
        ClusterState state = ignite.cluster().state();
        List<String> names = new ArrayList<>();
        Map<String, Integer> lost = new TreeMap<>();
        if (state.active()) {
            for (Region r : regions.regions()) {
                names.add(r.name());
                Collection<Integer> l = r.cache().lostPartitions();
                if (!l.isEmpty()) {
                    lost.put(r.name(), l.size());
                }
            }
        }
        Map<String, String> stale = state.active() ? sync.degraded() : Map.of();
        String status = !state.active() ? "inactive" : lost.isEmpty() && stale.isEmpty() ? "ready" : "degraded";
        return new Health(status, ignite.name(), ignite.cluster().localNode().id().toString(), state.name(),
                ignite.cluster().forServers().nodes().size(), ignite.cluster().topologyVersion(), names, lost, stale,
                ignite.version().toString());
    }

    @OpenApi(path = GatewayApp.API + "/health/ready", methods = HttpMethod.GET, tags = "Operations", operationId = "ready",
            summary = "Readiness (no credential needed): 200 when this node has joined an active cluster, no region lost partitions and "
                    + "every BOUNDED_STALENESS source (CDC, stream) is within its bound; else 503 with the health that says why",
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Health.class)),
                @OpenApiResponse(status = "503", content = @OpenApiContent(from = Health.class))})
    void ready(Context ctx) {
        Health h = health();
        Bodies.json(ctx, "ready".equals(h.status()) ? 200 : 503, h);
    }

    record Alive(@JsonProperty("status") String status, @JsonProperty("node") String node) {
    }

    @OpenApi(path = GatewayApp.API + "/health/live", methods = HttpMethod.GET, tags = "Operations", operationId = "live",
            summary = "Liveness (no credential needed): 200 while the node's JVM answers, whatever the cluster's state",
            responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = Alive.class)))
    void live(Context ctx) {
        Bodies.json(ctx, 200, new Alive("alive", ignite.name()));
    }

    @OpenApi(path = GatewayApp.API + "/metrics", methods = HttpMethod.GET, tags = "Operations", operationId = "metrics",
            summary = "Prometheus metrics of this node: requests per route, region entries, off-heap memory, JVM",
            responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = String.class, type = "text/plain")))
    void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }

    /** Ignite REST's reply envelope, so scripts written for ignite-rest-http keep working. */
    record IgniteReply(@JsonProperty("successStatus") int successStatus, @JsonProperty("error") String error,
                       @JsonProperty("sessionToken") String sessionToken, @JsonProperty("response") Object response) {
    }

    @OpenApi(path = "/ignite", methods = HttpMethod.GET, tags = "Operations", operationId = "igniteProbe",
            summary = "Ignite REST probe commands: cmd=version and cmd=probe (the Kubernetes readiness probe of Ignite's docs)",
            queryParams = @OpenApiParam(name = "cmd", required = true, description = "version or probe"),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = IgniteReply.class)),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "503", content = @OpenApiContent(from = IgniteReply.class))})
    void ignite(Context ctx) {
        String cmd = ctx.queryParam("cmd");
        if ("version".equals(cmd)) {
            Bodies.json(ctx, 200, new IgniteReply(0, null, null, ignite.version().toString()));
        } else if ("probe".equals(cmd)) {
            boolean up = ignite.cluster().state().active();
            Bodies.json(ctx, up ? 200 : 503, up ? new IgniteReply(0, null, null, "grid has started")
                    : new IgniteReply(1, "grid has not started (cluster is " + ignite.cluster().state() + ")", null, null));
        } else {
            throw new InvalidSpecException("cmd", cmd == null ? "is required: version or probe"
                    : "'" + cmd + "' is not served here; the gateway answers version and probe (ignite-rest-http is not bundled)");
        }
    }
}
