package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import io.dih.api.RegionSpec;
import io.dih.api.SourceSpec;
import io.dih.server.json.Json;
import io.dih.server.metrics.HubMetrics;
import io.dih.server.query.EndpointRunner;
import io.dih.server.query.EndpointService;
import io.dih.server.query.SqlService;
import io.dih.server.query.TransactionService;
import io.dih.server.region.EntryService;
import io.dih.server.region.RegionService;
import io.dih.server.security.Principal;
import io.dih.server.security.Role;
import io.dih.server.security.SecurityService;
import io.dih.server.security.TenantPolicy;
import io.dih.server.security.TlsSettings;
import io.dih.server.source.SourceRegistry;
import io.dih.server.subscribe.Subscriptions;
import io.dih.server.sync.SyncEngine;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import io.javalin.openapi.plugin.OpenApiPlugin;
import java.util.Locale;
import java.util.Set;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.CachePeekMode;

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
    /** Where {@link #start} listens: read by the HTTPS connector, which Javalin makes as it starts. */
    private volatile String host;
    private volatile int port;

    /** What the gateway serves: the node's services. */
    public record Services(Ignite ignite, RegionService regions, EntryService entries, SourceRegistry sources, SyncEngine sync,
                           TransactionService transactions, SqlService sql, EndpointService endpoints, EndpointRunner runner,
                           Subscriptions subscriptions, long subscriptionSendTimeoutMillis, HubMetrics metrics, SecurityService security,
                           TlsSettings tls) {
        public Services {
            requireNonNull(tls, "tls is null");
            requireNonNull(security, "security is null");
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
        SecurityService security = services.security();
        AccessGuard guard = new AccessGuard(security, services.tls().restOn() && services.tls().clientCertificates());
        TenantPolicy policy = new TenantPolicy(security.tenants(), () -> regions.list().stream().map(RegionSpec::name).toList(),
                () -> services.sources().list().stream().map(SourceSpec::sourceName).toList(),
                tenant -> regions.regions().stream().filter(r -> r.name().toLowerCase(Locale.ROOT).startsWith(Principal.prefix(tenant)))
                        .mapToLong(r -> r.cache().sizeLong(CachePeekMode.PRIMARY)).sum());
        this.subscriptionController = new SubscriptionController(services.subscriptions(), services.subscriptionSendTimeoutMillis(),
                services.security().subscriptionSlots());
        SqlController sqlController = new SqlController(sql, policy);
        EndpointController endpointController = new EndpointController(ignite, endpoints, runner);
        SyncController syncController = new SyncController(regions, sync);
        RegionController regionController = new RegionController(regions, policy);
        EntryController entryController = new EntryController(entries, policy);
        SourceController sourceController = new SourceController(services.sources(), sync, policy);
        IngestDeadLetterController ingestDeadLetters = new IngestDeadLetterController(services.sources(), sync.applier().deadLetters(), sync.ingestRetry());
        TransactionController transactionController = new TransactionController(transactions, policy);
        OpsController ops = new OpsController(ignite, regions, sync, metrics);
        SecurityController securityController = new SecurityController(security);
        Access open = Access.open();
        Access regionRead = Access.region(Role.READER, "name");
        Access regionWrite = Access.region(Role.WRITER, "name");
        Access regionAdmin = Access.region(Role.ADMIN, "name");
        Access sourceRead = Access.source(Role.READER);
        Access sourceAdmin = Access.source(Role.ADMIN);
        Routes routes = new Routes()
                .post(RegionController.BASE, Access.tenant(Role.ADMIN), regionController::create)
                .get(RegionController.BASE, Access.tenant(Role.READER), regionController::list)
                .get(RegionController.BASE + "/{name}", regionRead, regionController::get)
                .delete(RegionController.BASE + "/{name}", regionAdmin, regionController::delete)
                .get(RegionController.BASE + "/{name}/stats", regionRead, regionController::stats)
                .get(SyncController.WRITE_BEHIND, regionRead, syncController::status)
                .get(SyncController.DEAD_LETTERS, regionRead, syncController::list)
                .post(SyncController.DEAD_LETTERS + "/{id}/retry", regionAdmin, syncController::retry)
                .delete(SyncController.DEAD_LETTERS + "/{id}", regionAdmin, syncController::drop)
                .put(EntryController.BASE, regionWrite, entryController::putAll)
                .post(EntryController.BASE + "/batch-get", regionRead, entryController::getAll)
                .get(EntryController.BASE + "/{key}", regionRead, entryController::get)
                .put(EntryController.BASE + "/{key}", regionWrite, entryController::put)
                .patch(EntryController.BASE + "/{key}", regionWrite, entryController::patch)
                .delete(EntryController.BASE + "/{key}", regionWrite, entryController::delete)
                .post(SourceController.BASE, Access.tenant(Role.ADMIN), sourceController::register)
                .get(SourceController.BASE, Access.tenant(Role.READER), sourceController::list)
                .post(SourceController.BASE + "/validate", Access.tenant(Role.ADMIN), sourceController::validate)
                .get(SourceController.BASE + "/{name}", sourceRead, sourceController::get)
                .delete(SourceController.BASE + "/{name}", sourceAdmin, sourceController::delete)
                .post(SourceController.BASE + "/{name}/sync", sourceAdmin, sourceController::sync)
                .post(SourceController.BASE + "/{name}/pause", sourceAdmin, sourceController::pause)
                .post(SourceController.BASE + "/{name}/resume", sourceAdmin, sourceController::resume)
                .post(SourceController.BASE + "/{name}/restart", sourceAdmin, sourceController::restart)
                .get(SourceController.BASE + "/{name}/status", sourceRead, sourceController::status)
                .get(IngestDeadLetterController.BASE, sourceRead, ingestDeadLetters::list)
                .post(IngestDeadLetterController.BASE + "/{id}/retry", sourceAdmin, ingestDeadLetters::retry)
                .delete(IngestDeadLetterController.BASE + "/{id}", sourceAdmin, ingestDeadLetters::drop)
                .post(TransactionController.BASE, Access.tenant(Role.WRITER), transactionController::execute)
                .post(SqlController.BASE, Access.tenant(Role.READER), sqlController::query)
                .get(SqlController.PAGES + "/{token}", Access.tenant(Role.READER), sqlController::next)
                .delete(SqlController.PAGES + "/{token}", Access.tenant(Role.READER), sqlController::close)
                .post(EndpointController.BASE, Access.tenant(Role.ADMIN), endpointController::register)
                .get(EndpointController.BASE, Access.tenant(Role.READER), endpointController::list)
                .get(EndpointController.BASE + EndpointController.PATH + "/stats", Access.endpoint(Role.READER), endpointController::stats)
                .get(EndpointController.BASE + EndpointController.PATH, Access.endpoint(Role.READER), endpointController::get)
                .delete(EndpointController.BASE + EndpointController.PATH, Access.endpoint(Role.ADMIN), endpointController::delete)
                .post(EndpointController.QUERY + EndpointController.PATH, Access.endpoint(Role.READER), endpointController::callPost)
                .get(EndpointController.QUERY + EndpointController.PATH, Access.endpoint(Role.READER), endpointController::callGet)
                .get(SubscriptionController.BASE + "/{region}", Access.region(Role.READER, "region"), subscriptionController::sse)
                .get(SubscriptionController.BASE + "/{region}/journal", Access.region(Role.READER, "region"), subscriptionController::journal)
                .put(SubscriptionController.BASE + "/{region}/journal", Access.region(Role.ADMIN, "region"), subscriptionController::configure)
                .post(SecurityController.TENANTS, Access.operator(Role.ADMIN, "tenants are the operator's"), securityController::createTenant)
                .get(SecurityController.TENANTS, Access.operator(Role.ADMIN, "tenants are the operator's"), securityController::listTenants)
                .get(SecurityController.TENANTS + "/{name}", Access.operator(Role.ADMIN, "tenants are the operator's"), securityController::getTenant)
                .delete(SecurityController.TENANTS + "/{name}", Access.operator(Role.ADMIN, "tenants are the operator's"),
                        securityController::deleteTenant)
                .post(SecurityController.KEYS, Access.tenant(Role.ADMIN), securityController::createKey)
                .get(SecurityController.KEYS, Access.tenant(Role.ADMIN), securityController::listKeys)
                .delete(SecurityController.KEYS + "/{id}", Access.tenant(Role.ADMIN), securityController::revokeKey)
                .post(SecurityController.KEYS + "/{id}/rotate", Access.tenant(Role.ADMIN), securityController::rotateKey)
                .get(SecurityController.AUDIT, Access.tenant(Role.ADMIN), securityController::audit)
                .get(API + "/health", open, ops::health)
                .get(API + "/health/ready", open, ops::ready)
                .get(API + "/health/live", open, ops::live)
                .get(API + "/metrics", Access.operator(Role.READER, "the metrics cover every tenant: the operator's"), ops::metrics)
                .get("/ignite", open, ops::ignite) // version and probe only: Kubernetes probes send no credential
                .known(HandlerType.GET, OPENAPI_PATH); // served by the OpenAPI plugin
        TlsSettings tls = services.tls();
        this.app = Javalin.create(config -> {
            if (tls.restOn()) {
                config.jetty.addConnector((server, http) -> Https.connector(server, http, tls, host, port));
            }
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
            config.router.mount(router -> routes.mount(router, guard));
            config.router.mount(router -> router.wsBeforeUpgrade(SubscriptionController.BASE + "/{region}",
                    ctx -> guard.check(ctx, Access.region(Role.READER, "region"))));
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

    /** Starts listening (HTTPS with {@code tls.rest}); port 0 picks a free port. @return the bound port */
    public int start(String host, int port) {
        this.host = host;
        this.port = port;
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
