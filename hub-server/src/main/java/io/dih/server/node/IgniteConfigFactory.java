package io.dih.server.node;

import io.dih.server.registry.Registry;
import io.dih.server.security.HubSecurityPlugin;
import io.dih.server.security.ThinClientSecurity;
import io.dih.server.security.TlsSettings;
import io.dih.server.sync.WriteBehindQueue;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.configuration.ClientConnectorConfiguration;
import org.apache.ignite.ssl.SslContextFactory;
import org.apache.ignite.configuration.DataPageEvictionMode;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.configuration.WALMode;
import org.apache.ignite.internal.util.spring.IgniteSpringHelper;
import org.apache.ignite.internal.IgniteComponentType;
import org.apache.ignite.kubernetes.configuration.KubernetesConnectionConfiguration;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.TcpDiscoveryIpFinder;
import org.apache.ignite.spi.discovery.tcp.ipfinder.kubernetes.TcpDiscoveryKubernetesIpFinder;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;
import io.dih.spi.InvalidSpecException;

/** Turns a {@link HubConfig} (or the Spring XML it points to) into an Ignite server node configuration. */
public final class IgniteConfigFactory {
    /** The data region that holds every cache region's entries. */
    public static final String DATA_REGION = "dih-data";
    /**
     * The data region of pending write-behind writes and dead letters: never evicted (an evicted pending write would
     * be a lost write), persistent when the node is.
     */
    public static final String SYNC_DATA_REGION = WriteBehindQueue.DATA_REGION;
    /** Change journals of subscribed regions: in memory, evicting when full (a subscriber who then misses events gets a RESYNC). */
    public static final String JOURNAL_DATA_REGION = "dih-journal";

    private IgniteConfigFactory() {
    }

    public static IgniteConfiguration create(HubConfig cfg) {
        return create(cfg, null);
    }

    /**
     * The node's Ignite configuration; {@code thinClients}: with security on, the plugin that makes thin clients and
     * joining nodes authenticate ({@code null}: none).
     */
    public static IgniteConfiguration create(HubConfig cfg, ThinClientSecurity thinClients) {
        IgniteConfiguration ic = cfg.igniteConfig() != null ? fromSpring(cfg.igniteConfig()) : fromHubConfig(cfg);
        // The hub's own parts, whatever the source of the configuration.
        ic.setConnectorConfiguration(null); // ignite-rest-http cannot live beside Javalin 6; the gateway serves probes
        if (ic.getGridLogger() == null) {
            ic.setGridLogger(new HubIgniteLogger());
        }
        if (ic.getFailureHandler() == null) {
            ic.setFailureHandler(new HubFailureHandler());
        }
        ic.setMetricsLogFrequency(0);
        if (thinClients != null) {
            ic.setPluginProviders(new HubSecurityPlugin(thinClients));
        }
        TlsSettings tls = cfg.tls();
        if (tls.clusterOn() || tls.thinClientOn()) {
            SslContextFactory ssl = new SslContextFactory();
            ssl.setKeyStoreType(tls.keystoreType());
            ssl.setKeyStoreFilePath(tls.keystore());
            ssl.setKeyStorePassword(tls.keystorePassword(System.getenv()));
            ssl.setTrustStoreType(tls.keystoreType());
            ssl.setTrustStoreFilePath(tls.truststore());
            ssl.setTrustStorePassword(tls.truststorePassword(System.getenv()));
            if (tls.clusterOn()) {
                ic.setSslContextFactory(ssl); // discovery and communication
            }
            if (tls.thinClientOn()) {
                ClientConnectorConfiguration thin = ic.getClientConnectorConfiguration();
                if (thin == null) {
                    thin = new ClientConnectorConfiguration();
                    ic.setClientConnectorConfiguration(thin);
                }
                thin.setSslEnabled(true).setSslClientAuth(tls.clientCertificates());
                if (tls.clusterOn()) {
                    thin.setUseIgniteSslContextFactory(true);
                } else {
                    thin.setUseIgniteSslContextFactory(false).setSslContextFactory(ssl);
                }
            }
        }
        org.apache.ignite.configuration.CacheConfiguration<?, ?>[] own = ic.getCacheConfiguration();
        int n = own == null ? 0 : own.length;
        org.apache.ignite.configuration.CacheConfiguration<?, ?>[] all = new org.apache.ignite.configuration.CacheConfiguration<?, ?>[n + 1];
        if (n > 0) {
            System.arraycopy(own, 0, all, 0, n);
        }
        all[n] = Registry.cacheConfiguration();
        ic.setCacheConfiguration(all);
        return ic;
    }

    private static IgniteConfiguration fromHubConfig(HubConfig cfg) {
        IgniteConfiguration ic = new IgniteConfiguration();
        ic.setIgniteInstanceName(cfg.node().name());
        ic.setConsistentId(cfg.node().name());
        ic.setWorkDirectory(Path.of(cfg.node().workDir()).toAbsolutePath().toString());
        ic.setPeerClassLoadingEnabled(false);

        TcpDiscoverySpi disco = new TcpDiscoverySpi();
        HubConfig.Discovery d = cfg.discovery();
        if (d.localAddress() != null) {
            disco.setLocalAddress(d.localAddress());
        }
        disco.setLocalPort(d.port());
        disco.setLocalPortRange(d.portRange());
        disco.setIpFinder(ipFinder(d));
        ic.setDiscoverySpi(disco);

        TcpCommunicationSpi comm = new TcpCommunicationSpi();
        if (cfg.communication().localAddress() != null) {
            comm.setLocalAddress(cfg.communication().localAddress());
        }
        comm.setLocalPort(cfg.communication().port());
        comm.setLocalPortRange(cfg.communication().portRange());
        comm.setMessageQueueLimit(1024); // back-pressure instead of unbounded queues (Ignite's own advice)
        ic.setCommunicationSpi(comm);

        ClientConnectorConfiguration thin = new ClientConnectorConfiguration();
        if (cfg.thinClient().host() != null) {
            thin.setHost(cfg.thinClient().host());
        }
        thin.setPort(cfg.thinClient().port());
        thin.setPortRange(cfg.thinClient().portRange());
        ic.setClientConnectorConfiguration(thin);

        ic.setDataStorageConfiguration(storage(cfg.storage()));
        return ic;
    }

    private static TcpDiscoveryIpFinder ipFinder(HubConfig.Discovery d) {
        if (d.kubernetes().enabled()) {
            HubConfig.Kubernetes k = d.kubernetes();
            KubernetesConnectionConfiguration kc = new KubernetesConnectionConfiguration();
            kc.setNamespace(k.namespace());
            kc.setServiceName(k.serviceName());
            if (k.masterUrl() != null) {
                kc.setMasterUrl(k.masterUrl());
            }
            if (k.accountToken() != null) {
                kc.setAccountToken(k.accountToken());
            }
            kc.setDiscoveryPort(d.port());
            kc.setIncludeNotReadyAddresses(k.includeNotReadyAddresses());
            return new TcpDiscoveryKubernetesIpFinder(kc);
        }
        TcpDiscoveryVmIpFinder vm = new TcpDiscoveryVmIpFinder();
        vm.setAddresses(d.addresses());
        return vm;
    }

    static DataStorageConfiguration storage(HubConfig.Storage s) {
        DataRegionConfiguration data = new DataRegionConfiguration()
                .setName(DATA_REGION)
                .setInitialSize(s.dataRegionInitialMb() * 1024 * 1024)
                .setMaxSize(s.dataRegionMaxMb() * 1024 * 1024)
                .setPersistenceEnabled(s.persistence())
                .setMetricsEnabled(true);
        if (!s.persistence()) {
            data.setPageEvictionMode(DataPageEvictionMode.valueOf(s.pageEviction()));
            // Eviction frees pages one entry at a time; a batch write needs a pool of empty pages to land in first.
            // Ignite's default (100 pages) runs dry under 1000-row batches and the region goes out of memory.
            long pages = data.getMaxSize() / DataStorageConfiguration.DFLT_PAGE_SIZE;
            data.setEmptyPagesPoolSize((int) Math.max(100, Math.min(pages / 20, 16_384)));
        }
        DataRegionConfiguration sync = new DataRegionConfiguration()
                .setName(SYNC_DATA_REGION)
                .setInitialSize(Math.min(32L, s.syncRegionMaxMb()) * 1024 * 1024)
                .setMaxSize(s.syncRegionMaxMb() * 1024 * 1024)
                .setPersistenceEnabled(s.persistence())
                .setMetricsEnabled(true);
        DataRegionConfiguration journal = new DataRegionConfiguration()
                .setName(JOURNAL_DATA_REGION)
                .setInitialSize(Math.min(32L, s.journalRegionMaxMb()) * 1024 * 1024)
                .setMaxSize(s.journalRegionMaxMb() * 1024 * 1024)
                .setPersistenceEnabled(false)
                .setPageEvictionMode(DataPageEvictionMode.RANDOM_2_LRU)
                .setEmptyPagesPoolSize((int) Math.max(100, Math.min(s.journalRegionMaxMb() * 1024 * 1024 / DataStorageConfiguration.DFLT_PAGE_SIZE / 20, 16_384)))
                .setMetricsEnabled(true);
        DataStorageConfiguration ds = new DataStorageConfiguration()
                .setDefaultDataRegionConfiguration(data)
                .setDataRegionConfigurations(sync, journal)
                .setSystemDataRegionConfiguration(new org.apache.ignite.configuration.SystemDataRegionConfiguration()
                        .setInitialSize(Math.min(40L, s.systemRegionMaxMb()) * 1024 * 1024)
                        .setMaxSize(s.systemRegionMaxMb() * 1024 * 1024))
                .setMetricsEnabled(true);
        if (s.persistence()) {
            ds.setWalMode(WALMode.LOG_ONLY);
        }
        return ds;
    }

    private static IgniteConfiguration fromSpring(String location) {
        Path p = Path.of(location);
        if (!Files.isRegularFile(p)) {
            throw new InvalidSpecException("ignite_config", "file " + location + " does not exist");
        }
        try {
            URL url = p.toUri().toURL();
            IgniteSpringHelper spring = IgniteComponentType.SPRING.create(false);
            Collection<IgniteConfiguration> cfgs = spring.loadConfigurations(url).get1();
            if (cfgs.size() != 1) {
                throw new InvalidSpecException("ignite_config", location + " must define exactly one IgniteConfiguration bean, found " + cfgs.size());
            }
            return cfgs.iterator().next();
        } catch (IgniteCheckedException | java.net.MalformedURLException e) {
            throw new InvalidSpecException("ignite_config", "cannot load " + location + ": " + e.getMessage());
        }
    }
}
