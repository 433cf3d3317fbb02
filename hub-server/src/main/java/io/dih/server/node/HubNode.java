package io.dih.server.node;

import static java.util.Objects.requireNonNull;

import io.dih.server.gateway.GatewayApp;
import io.dih.server.metrics.HubMetrics;
import io.dih.server.region.EntryService;
import io.dih.server.region.RegionService;
import io.dih.server.registry.Registry;
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

    private final HubConfig config;
    private final Ignite ignite;
    private final Registry registry;
    private final RegionService regions;
    private final EntryService entries;
    private final HubMetrics metrics;
    private final GatewayApp gateway;
    private final int gatewayPort;
    private volatile boolean closed;

    private HubNode(HubConfig config, Ignite ignite) {
        this.config = config;
        this.ignite = ignite;
        boolean ok = false;
        try {
            activate();
            this.registry = new Registry(ignite);
            this.regions = new RegionService(ignite, registry, config.defaults().toRegionDefaults());
            registry.listen((key, json) -> regions.onRegistryChange(key));
            this.entries = new EntryService(ignite, regions);
            if (config.bootstrap() != null) {
                new Bootstrap(ignite, regions).apply(config.bootstrap());
            }
            this.metrics = new HubMetrics(ignite, regions);
            this.gateway = new GatewayApp(ignite, regions, entries, metrics);
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

    /** Starts a node and waits until it serves requests. */
    public static HubNode start(HubConfig config) {
        requireNonNull(config, "config is null");
        IgniteConfiguration ic = IgniteConfigFactory.create(config);
        Ignite ignite = Ignition.start(ic);
        return new HubNode(config, ignite);
    }

    private void activate() {
        if (!ignite.cluster().state().active() && config.storage().autoActivate()) {
            LOG.info("Activating the cluster (native persistence is on)");
            ignite.cluster().state(ClusterState.ACTIVE);
            ignite.cluster().baselineAutoAdjustEnabled(true);
            ignite.cluster().baselineAutoAdjustTimeout(0);
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
        return "http://" + ("0.0.0.0".equals(host) ? "127.0.0.1" : host) + ":" + gatewayPort;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("Stopping hub node {}", ignite.name());
        try {
            gateway.close();
        } finally {
            try {
                metrics.close();
                registry.close();
            } finally {
                Ignition.stop(ignite.name(), false);
            }
        }
    }
}
