package io.dih.server.node;

import static java.util.Objects.requireNonNull;

import io.dih.server.gateway.GatewayApp;
import io.dih.server.metrics.HubMetrics;
import io.dih.server.query.EndpointRunner;
import io.dih.server.query.EndpointService;
import io.dih.server.query.SqlCursors;
import io.dih.server.query.SqlService;
import io.dih.server.query.TransactionService;
import io.dih.server.region.EntryService;
import io.dih.server.region.RegionService;
import io.dih.server.region.RegionWrites;
import io.dih.server.registry.Registry;
import io.dih.server.security.AuditLog;
import io.dih.server.security.Principal;
import io.dih.server.security.SecurityService;
import io.dih.server.security.ThinClientSecurity;
import io.dih.server.source.Connectors;
import io.dih.server.source.SourceConnectors;
import io.dih.server.source.SourceRegistry;
import io.dih.server.subscribe.Subscriptions;
import io.dih.server.sync.SyncEngine;
import io.dih.server.sync.WriteBehindQueue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.cluster.ClusterState;
import org.apache.ignite.configuration.ClientConnectorConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.internal.IgniteEx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hub node: an Ignite server node, the hub's services and the REST gateway, in one process. {@link #start}
 * returns once the node serves requests; {@link #close} stops the gateway first, then leaves the cluster
 * gracefully (partitions move to the survivors). Close is idempotent.
 */
public final class HubNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HubNode.class);
    /** SQL over REST: cursors open at once on one node, and how long one may wait for its next page. */

    private final HubConfig config;
    private final Ignite ignite;
    private final Registry registry;
    private final RegionService regions;
    private final EntryService entries;
    private final SourceRegistry sources;
    private final SourceConnectors connectors;
    private final SyncEngine sync;
    private final Subscriptions subscriptions;
    private final EndpointService endpoints;
    private final EndpointRunner runner;
    private final HubMetrics metrics;
    private final SqlService sql;
    private final SecurityService security;
    private final GatewayApp gateway;
    private final int gatewayPort;
    private volatile boolean closed;

    private HubNode(HubConfig config, Ignite ignite, ThinClientSecurity thinClients) {
        this.config = config;
        this.ignite = ignite;
        boolean ok = false;
        try {
            activate();
            this.registry = new Registry(ignite);
            this.regions = new RegionService(ignite, registry, config.defaults().toRegionDefaults());
            RegionWrites writes = new RegionWrites();
            this.entries = new EntryService(ignite, regions, writes);
            this.connectors = new SourceConnectors(new Connectors(), System.getenv());
            this.sources = new SourceRegistry(registry, regions, connectors);
            this.sync = new SyncEngine(ignite, regions, sources, config.sync());
            regions.attach(sync.dataPath());
            writes.attach(sync.dataPath());
            sources.attach(sync);
            sync.start();
            this.endpoints = new EndpointService(ignite, registry, regions,
                    WriteBehindQueue.syncDataRegion(ignite) != null ? IgniteConfigFactory.SYNC_DATA_REGION : null);
            writes.afterWrites(endpoints::regionsWritten);
            this.runner = new EndpointRunner(endpoints, regions);
            ignite.cluster().nodeLocalMap().put(EndpointRunner.NODE_LOCAL_KEY, runner);
            sync.applier().onBulkChange(endpoints::regionChangedInBulk);
            HubConfig.Subscriptions sc = config.subscriptions();
            boolean hubRegions = WriteBehindQueue.syncDataRegion(ignite) != null; // false under a Spring XML configuration
            this.subscriptions = new Subscriptions(ignite, registry, regions,
                    hubRegions ? IgniteConfigFactory.SYNC_DATA_REGION : null, hubRegions ? IgniteConfigFactory.JOURNAL_DATA_REGION : null,
                    Subscriptions.Settings.of(sc.maxPerNode(), sc.maxLagEvents(), sc.sendTimeoutMs(), sc.heartbeatSeconds() * 1000,
                            sc.maxSnapshotRows(), sc.journalMaxEvents(), sc.journalMaxAgeSeconds(), sc.maxPendingChanges()));
            registry.listen((key, json) -> {
                regions.onRegistryChange(key);
                endpoints.onRegistryChange(key);
                subscriptions.onRegistryChange(key, json);
                sources.onRegistryChange(key, json);
                SyncEngine engine = sync;
                if (engine != null) {
                    engine.onRegistryChange(key);
                }
            });
            if (config.bootstrap() != null) {
                new Bootstrap(ignite, regions, endpoints).apply(config.bootstrap());
            }
            this.metrics = new HubMetrics(ignite, regions, sync);
            HubConfig.Query query = config.query();
            TransactionService transactions = new TransactionService(ignite, regions, writes, query.maxTransactionOperations());
            this.sql = new SqlService(ignite, new SqlCursors(query.maxOpenCursors(), query.cursorIdleSeconds() * 1000L, System::nanoTime));
            sql.afterDml(endpoints::anyRegionWritten);
            SqlCursors cursors = sql.cursors();
            metrics.gauge("dih.sql.open.cursors", "SQL cursors open on this node (pages still to fetch); at query.max_open_cursors "
                    + "new ones are refused with 503", cursors::open);
            runner.observe(metrics::recordEndpointCall);
            subscriptions.start();
            sync.applier().journaling(subscriptions::journaled, subscriptions::regionCleared);
            metrics.watchSubscriptions(subscriptions);
            this.security = new SecurityService(config.security(), registry,
                    new AuditLog(ignite, Path.of(config.node().workDir()), config.security().auditRetentionDays()), System.getenv());
            security.ownedObjects(this::ownedBy);
            if (thinClients != null) {
                thinClients.serve(security);
            }
            this.gateway = new GatewayApp(new GatewayApp.Services(ignite, regions, entries, sources, sync, transactions, sql, endpoints,
                    runner, subscriptions, sc.sendTimeoutMs(), metrics, security, config.tls()));
            this.gatewayPort = gateway.start(config.gateway().host(), config.gateway().port());
            ok = true;
        } finally {
            if (!ok) {
                Ignition.stop(ignite.name(), true);
            }
        }
        LOG.info("Hub node {} is up: REST http://{}:{}{} , thin client / JDBC port {}, cluster of {} server node(s)",
                ignite.name(), config.gateway().host(), gatewayPort, GatewayApp.API, thinClientPort(),
                ignite.cluster().forServers().nodes().size());
    }

    /** The regions, sources and endpoints a tenant owns (named with its prefix), as "region x" etc. */
    private List<String> ownedBy(String tenant) {
        String prefix = Principal.prefix(tenant);
        List<String> out = new ArrayList<>();
        regions.list().forEach(r -> {
            if (r.name().toLowerCase(Locale.ROOT).startsWith(prefix)) {
                out.add("region " + r.name());
            }
        });
        sources.list().forEach(s -> {
            if (s.sourceName().toLowerCase(Locale.ROOT).startsWith(prefix)) {
                out.add("source " + s.sourceName());
            }
        });
        endpoints.list().forEach(e -> {
            if (Principal.ownsEndpoint(tenant, e.path())) {
                out.add("endpoint " + e.path());
            }
        });
        return out;
    }

    /** Starts a node and waits until it serves requests. */
    public static HubNode start(HubConfig config) {
        requireNonNull(config, "config is null");
        ThinClientSecurity thinClients = config.security().enabled()
                ? new ThinClientSecurity(config.security().resolvedAdminKey(System.getenv())) : null;
        IgniteConfiguration ic = IgniteConfigFactory.create(config, thinClients);
        Ignite ignite = Ignition.start(ic);
        return new HubNode(config, ignite, thinClients);
    }

    /**
     * With native persistence a cluster starts inactive. On its very first start (no baseline yet) the hub activates
     * it; after that, Ignite activates it again by itself once every baseline node is back, so a node of a
     * restarting cluster waits for its peers instead of activating a partial cluster.
     */
    private void activate() {
        if (ignite.cluster().state().active()) {
            return;
        }
        if (config.storage().autoActivate() && ignite.cluster().currentBaselineTopology() == null) {
            LOG.info("Activating the cluster for the first time (native persistence is on)");
            ignite.cluster().state(ClusterState.ACTIVE);
            ignite.cluster().baselineAutoAdjustEnabled(true);
            ignite.cluster().baselineAutoAdjustTimeout(config.storage().baselineAutoAdjustSeconds() * 1000L);
            return;
        }
        long started = System.nanoTime();
        long nextLog = 0;
        while (!ignite.cluster().state().active()) {
            long waited = (System.nanoTime() - started) / 1_000_000_000L;
            if (waited >= nextLog) {
                LOG.info("Waiting for the cluster to become active: {} of the baseline nodes have joined ({} s). "
                                + "It activates when all are back, or activate it by hand (control.sh --set-state ACTIVE).",
                        ignite.cluster().forServers().nodes().size(), waited);
                nextLog = waited + 30;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the cluster to become active", e);
            }
        }
    }

    public Ignite ignite() {
        return ignite;
    }

    public HubConfig config() {
        return config;
    }

    public RegionService regions() {
        return regions;
    }

    public EntryService entries() {
        return entries;
    }

    public SourceRegistry sources() {
        return sources;
    }

    public EndpointService endpoints() {
        return endpoints;
    }

    public SyncEngine sync() {
        return sync;
    }

    public Subscriptions subscriptions() {
        return subscriptions;
    }

    public SqlService sql() {
        return sql;
    }

    public SecurityService security() {
        return security;
    }

    public int gatewayPort() {
        return gatewayPort;
    }

    /** The port the thin client and the JDBC thin driver connect to. */
    public int thinClientPort() {
        ClientConnectorConfiguration c = ignite.configuration().getClientConnectorConfiguration();
        int port = ((IgniteEx) ignite).context().clientListener().port();
        return port > 0 ? port : c.getPort();
    }

    /** The gateway's base URL, e.g. {@code http://127.0.0.1:8080}. */
    public String baseUrl() {
        String host = config.gateway().host();
        return (config.tls().restOn() ? "https://" : "http://") + ("0.0.0.0".equals(host) ? "127.0.0.1" : host) + ":" + gatewayPort;
    }

    @Override
    public void close() {
        stop(false);
    }

    /**
     * Stops the node. Gracefully: the gateway stops taking requests, then the node leaves the cluster and waits
     * for in-flight work. With {@code cancel}, in-flight work is cancelled (what a crash looks like to the others,
     * short of killing the process).
     */
    public synchronized void stop(boolean cancel) {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("Stopping hub node {}{}", ignite.name(), cancel ? " (cancelling in-flight work)" : "");
        try {
            gateway.close();
            ignite.cluster().nodeLocalMap().remove(Subscriptions.NODE_LOCAL_KEY);
            subscriptions.close();
            sql.close();
            metrics.close();
            if (cancel) {
                sync.closeNow();
            } else {
                sync.close(); // the write-behind flushers, if here, drain what they can while the sources are still open
            }
            ignite.cluster().nodeLocalMap().remove(EndpointRunner.NODE_LOCAL_KEY);
            endpoints.close();
            connectors.close();
            security.close();
            if (!cancel) {
                registry.close();
            }
        } finally {
            Ignition.stop(ignite.name(), cancel);
        }
    }
}
