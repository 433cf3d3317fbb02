package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import io.dih.server.json.Json;
import io.dih.server.metrics.HubMetrics;
import io.dih.server.query.EndpointRunner;
import io.dih.server.query.EndpointService;
import io.dih.server.query.SqlService;
import io.dih.server.query.TransactionService;
import io.dih.server.region.EntryService;
import io.dih.server.region.RegionService;
import io.dih.server.source.SourceRegistry;
import io.dih.server.subscribe.Subscriptions;
import io.dih.server.sync.SyncEngine;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import io.javalin.openapi.plugin.OpenApiPlugin;
import java.util.Set;
import org.apache.ignite.Ignite;

/**
 * The REST gateway. It takes the node's services in its constructor (so tests boot it in-process) and calls the
 * node's own Ignite API: no extra hop.
 */
public final class GatewayApp implements AutoCloseable {
    public static final String API = "/api/v1/dih";
    public static final String OPENAPI_PATH = API + "/openapi.json";
    /** Largest request body: a batch of 1000 rows of a few KB each. */
    public static final long MAX_REQUEST_BYTES = 32L * 1024 * 1024;

    private final Javalin app;
    private final SubscriptionController subscriptionController;

    /** What the gateway serves: the node's services. */
    public record Services(Ignite ignite, RegionService regions, EntryService entries, SourceRegistry sources, SyncEngine sync,
                           TransactionService transactions, SqlService sql, EndpointService endpoints, EndpointRunner runner,
                           Subscriptions subscriptions, long subscriptionSendTimeoutMillis, HubMetrics metrics) {
        public Services {
            requireNonNull(ignite, "ignite is null");
            requireNonNull(subscriptions, "subscriptions is null");
            requireNonNull(metrics, "metrics is null");
        }
    }

    public GatewayApp(Services services) {
        Ignite ignite = services.ignite();
        RegionService regions = services.regions();
        EndpointRunner runner = services.runner();
        HubMetrics metrics = services.metrics();
        SqlService sql = services.sql();
        EndpointService endpoints = services.endpoints();
        SyncEngine sync = services.sync();
        EntryService entries = services.entries();
        TransactionService transactions = services.transactions();
        this.subscriptionController = new SubscriptionController(services.subscriptions(), services.subscriptionSendTimeoutMillis());
        SqlController sqlController = new SqlController(sql);
        EndpointController endpointController = new EndpointController(ignite, endpoints, runner);
        SyncController syncController = new SyncController(regions, sync);
        RegionController regionController = new RegionController(regions);
        EntryController entryController = new EntryController(entries);
        SourceController sourceController = new SourceController(services.sources(), sync);
        IngestDeadLetterController ingestDeadLetters = new IngestDeadLetterController(services.sources(), sync.applier().deadLetters(), sync.ingestRetry());
        TransactionController transactionController = new TransactionController(transactions);
        OpsController ops = new OpsController(ignite, regions, sync, metrics);
        Routes routes = new Routes()
                .post(RegionController.BASE, regionController::create)
                .get(RegionController.BASE, regionController::list)
                .get(RegionController.BASE + "/{name}", regionController::get)
                .delete(RegionController.BASE + "/{name}", regionController::delete)
                .get(RegionController.BASE + "/{name}/stats", regionController::stats)
                .get(SyncController.WRITE_BEHIND, syncController::status)
                .get(SyncController.DEAD_LETTERS, syncController::list)
                .post(SyncController.DEAD_LETTERS + "/{id}/retry", syncController::retry)
                .delete(SyncController.DEAD_LETTERS + "/{id}", syncController::drop)
                .put(EntryController.BASE, entryController::putAll)
                .post(EntryController.BASE + "/batch-get", entryController::getAll)
                .get(EntryController.BASE + "/{key}", entryController::get)
                .put(EntryController.BASE + "/{key}", entryController::put)
                .patch(EntryController.BASE + "/{key}", entryController::patch)
                .delete(EntryController.BASE + "/{key}", entryController::delete)
                .post(SourceController.BASE, sourceController::register)
                .get(SourceController.BASE, sourceController::list)
                .post(SourceController.BASE + "/validate", sourceController::validate)
                .get(SourceController.BASE + "/{name}", sourceController::get)
                .delete(SourceController.BASE + "/{name}", sourceController::delete)
                .post(SourceController.BASE + "/{name}/sync", sourceController::sync)
                .post(SourceController.BASE + "/{name}/pause", sourceController::pause)
                .post(SourceController.BASE + "/{name}/resume", sourceController::resume)
                .post(SourceController.BASE + "/{name}/restart", sourceController::restart)
                .get(SourceController.BASE + "/{name}/status", sourceController::status)
                .get(IngestDeadLetterController.BASE, ingestDeadLetters::list)
                .post(IngestDeadLetterController.BASE + "/{id}/retry", ingestDeadLetters::retry)
                .delete(IngestDeadLetterController.BASE + "/{id}", ingestDeadLetters::drop)
                .post(TransactionController.BASE, transactionController::execute)
                .post(SqlController.BASE, sqlController::query)
                .get(SqlController.PAGES + "/{token}", sqlController::next)
                .delete(SqlController.PAGES + "/{token}", sqlController::close)
                .post(EndpointController.BASE, endpointController::register)
                .get(EndpointController.BASE, endpointController::list)
                .get(EndpointController.BASE + EndpointController.PATH + "/stats", endpointController::stats)
                .get(EndpointController.BASE + EndpointController.PATH, endpointController::get)
                .delete(EndpointController.BASE + EndpointController.PATH, endpointController::delete)
                .post(EndpointController.QUERY + EndpointController.PATH, endpointController::callPost)
                .get(EndpointController.QUERY + EndpointController.PATH, endpointController::callGet)
                .get(SubscriptionController.BASE + "/{region}", subscriptionController::sse)
                .get(SubscriptionController.BASE + "/{region}/journal", subscriptionController::journal)
                .put(SubscriptionController.BASE + "/{region}/journal", subscriptionController::configure)
                .get(API + "/health", ops::health)
                .get(API + "/metrics", ops::metrics)
                .get("/ignite", ops::ignite)
                .known(HandlerType.GET, OPENAPI_PATH); // served by the OpenAPI plugin
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.useVirtualThreads = false;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            config.http.defaultContentType = "application/json";
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
            config.requestLogger.http((ctx, ms) -> metrics.recordRequest(ctx.method().name(), route(ctx), ctx.status().getCode(), ms));
            config.registerPlugin(new OpenApiPlugin(openapi -> openapi
                    .withDocumentationPath(OPENAPI_PATH)
                    .withDefinitionConfiguration((version, definition) -> definition
                            .withInfo(info -> info.title("Digital Integration Hub")
                                    .version("0.1.0")
                                    .description("Cache regions, entries, SQL and sync over Apache Ignite. Every error is application/problem+json.")))));
            config.router.mount(routes::mount);
            config.router.mount(router -> router.ws(SubscriptionController.BASE + "/{region}", subscriptionController::websocket));
        });
        app.exception(Exception.class, Problems::handle);
        // Errors raised by Javalin or Jetty themselves (no route, wrong method, body too large…) become problems too.
        for (int status : new int[] {400, 404, 405, 408, 413, 415, 500, 503}) {
            app.error(status, ctx -> {
                String type = ctx.res().getContentType();
                if (type == null || !type.startsWith(Problems.CONTENT_TYPE)) {
                    Set<HandlerType> allowed = ctx.statusCode() == 404 ? routes.allowed(ctx.path()) : Set.of();
                    if (!allowed.isEmpty()) { // a known path, another method: 405, and which methods it has
                        ctx.status(405).header("Allow", Routes.allowHeader(allowed));
                    }
                    String detail = switch (ctx.statusCode()) {
                        case 404 -> "no route for " + ctx.method() + " " + ctx.path();
                        case 405 -> ctx.method() + " is not allowed on " + ctx.path()
                                + (allowed.isEmpty() ? "" : "; it allows " + Routes.allowHeader(allowed));
                        case 413 -> "the request body is larger than " + MAX_REQUEST_BYTES / (1024 * 1024) + " MB";
                        default -> ctx.result() == null || ctx.result().isBlank() ? Problems.title(ctx.statusCode()) : ctx.result();
                    };
                    Problems.write(ctx, Problems.problem(ctx.statusCode(), Problems.title(ctx.statusCode()), detail, ctx, null, null));
                }
            });
        }
    }

    /** The matched route template, so metrics have one series per route, not per key. */
    private static String route(Context ctx) {
        try {
            String path = ctx.endpointHandlerPath();
            return path.isEmpty() ? "unmatched" : path;
        } catch (IllegalStateException e) {
            return "unmatched"; // no endpoint matched (404) or the request ended before routing
        }
    }

    /** Starts listening; port 0 picks a free port. @return the bound port */
    public int start(String host, int port) {
        app.start(host, port);
        return app.port();
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
        subscriptionController.close();
    }
}
