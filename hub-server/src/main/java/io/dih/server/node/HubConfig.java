package io.dih.server.node;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.api.AtomicityMode;
import io.dih.api.CacheMode;
import io.dih.api.CacheStrategy;
import io.dih.api.RegionDefaults;
import io.dih.server.security.SecuritySettings;
import io.dih.server.security.TlsSettings;
import io.dih.server.sync.SyncSettings;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.List;

/**
 * A hub node's configuration: {@code config/hub.yaml} overlaid by the operator's file and then by
 * {@code DIH_*} environment variables (see {@link HubConfigLoader}).
 *
 * @param igniteConfig a Spring XML Ignite configuration; when set it replaces the node, discovery, communication,
 *                     thin-client and storage sections
 * @param bootstrap    a YAML file of regions (and sample entries) to create at start-up, or {@code null}
 * @param security     credentials, tenants and audit (on by default; the demo turns it off)
 * @param tls          TLS for the gateway, the thin-client port and node-to-node traffic (off by default)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record HubConfig(
        @JsonProperty("node") Node node,
        @JsonProperty("discovery") Discovery discovery,
        @JsonProperty("communication") Communication communication,
        @JsonProperty("thin_client") ThinClient thinClient,
        @JsonProperty("gateway") Gateway gateway,
        @JsonProperty("storage") Storage storage,
        @JsonProperty("defaults") Defaults defaults,
        @JsonProperty("ignite_config") String igniteConfig,
        @JsonProperty("bootstrap") String bootstrap,
        @JsonProperty("sync") SyncSettings sync,
        @JsonProperty("query") Query query,
        @JsonProperty("subscriptions") Subscriptions subscriptions,
        @JsonProperty("security") SecuritySettings security,
        @JsonProperty("tls") TlsSettings tls) {

    public HubConfig {
        if (security == null) {
            security = SecuritySettings.DEFAULTS;
        }
        if (tls == null) {
            tls = TlsSettings.OFF;
        }
        if (sync == null) {
            sync = SyncSettings.DEFAULTS;
        }
        if (query == null) {
            query = Query.DEFAULTS;
        }
        if (subscriptions == null) {
            subscriptions = Subscriptions.DEFAULTS;
        }
        List<FieldError> errors = new ArrayList<>();
        require(errors, "node", node);
        require(errors, "discovery", discovery);
        require(errors, "communication", communication);
        require(errors, "thin_client", thinClient);
        require(errors, "gateway", gateway);
        require(errors, "storage", storage);
        require(errors, "defaults", defaults);
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
    }

    /** The same configuration with a bootstrap file. */
    public HubConfig withBootstrap(String file) {
        return new HubConfig(node, discovery, communication, thinClient, gateway, storage, defaults, igniteConfig, file, sync, query,
                subscriptions, security, tls);
    }

    private static void require(List<FieldError> errors, String name, Object section) {
        if (section == null) {
            errors.add(new FieldError(name, "section is missing"));
        }
    }

    static void checkPort(List<FieldError> errors, String field, int port, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
            errors.add(new FieldError(field, "must be a TCP port" + (zeroAllowed ? " or 0 for any free port" : "") + ", was " + port));
        }
    }

    static void fail(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
    }

    /** @param name the node's Ignite instance name and consistent id (keep it stable for persistence) */
    public record Node(@JsonProperty("name") String name, @JsonProperty("work_dir") String workDir) {
        public Node {
            List<FieldError> errors = new ArrayList<>();
            if (name == null || name.isBlank()) {
                errors.add(new FieldError("node.name", "must not be empty"));
            }
            if (workDir == null || workDir.isBlank()) {
                errors.add(new FieldError("node.work_dir", "must not be empty"));
            }
            fail(errors);
        }
    }

    /**
     * @param addresses the static IP finder's list, e.g. {@code 10.0.0.1:47500..47509}
     */
    public record Discovery(
            @JsonProperty("local_address") String localAddress,
            @JsonProperty("port") int port,
            @JsonProperty("port_range") int portRange,
            @JsonProperty("addresses") List<String> addresses,
            @JsonProperty("kubernetes") Kubernetes kubernetes) {
        public Discovery {
            List<FieldError> errors = new ArrayList<>();
            checkPort(errors, "discovery.port", port, false);
            if (portRange < 0) {
                errors.add(new FieldError("discovery.port_range", "must be >= 0"));
            }
            addresses = addresses == null ? List.of() : List.copyOf(addresses);
            if (kubernetes == null) {
                kubernetes = new Kubernetes(false, null, null, null, null, false);
            }
            if (!kubernetes.enabled() && addresses.isEmpty()) {
                errors.add(new FieldError("discovery.addresses", "list at least one host:port (or enable discovery.kubernetes)"));
            }
            fail(errors);
        }
    }

    public record Kubernetes(
            @JsonProperty("enabled") boolean enabled,
            @JsonProperty("namespace") String namespace,
            @JsonProperty("service_name") String serviceName,
            @JsonProperty("master_url") String masterUrl,
            @JsonProperty("account_token") String accountToken,
            @JsonProperty("include_not_ready_addresses") boolean includeNotReadyAddresses) {
        public Kubernetes {
            List<FieldError> errors = new ArrayList<>();
            if (enabled) {
                if (namespace == null || namespace.isBlank()) {
                    errors.add(new FieldError("discovery.kubernetes.namespace", "must not be empty"));
                }
                if (serviceName == null || serviceName.isBlank()) {
                    errors.add(new FieldError("discovery.kubernetes.service_name", "must not be empty"));
                }
            }
            fail(errors);
        }
    }

    public record Communication(@JsonProperty("local_address") String localAddress,
                                @JsonProperty("port") int port,
                                @JsonProperty("port_range") int portRange) {
        public Communication {
            List<FieldError> errors = new ArrayList<>();
            checkPort(errors, "communication.port", port, false);
            fail(errors);
        }
    }

    public record ThinClient(@JsonProperty("host") String host,
                             @JsonProperty("port") int port,
                             @JsonProperty("port_range") int portRange) {
        public ThinClient {
            List<FieldError> errors = new ArrayList<>();
            checkPort(errors, "thin_client.port", port, false);
            fail(errors);
        }
    }

    /** @param port the REST gateway's port; 0 picks a free one (tests) */
    public record Gateway(@JsonProperty("host") String host, @JsonProperty("port") int port) {
        public Gateway {
            List<FieldError> errors = new ArrayList<>();
            checkPort(errors, "gateway.port", port, true);
            fail(errors);
        }
    }

    /**
     * @param persistence      Ignite native persistence: regions and data survive restarts
     * @param dataRegionMaxMb  off-heap memory for region data
     * @param pageEviction     in-memory mode only: how pages are evicted when the data region is 90% full,
     *                         {@code RANDOM_2_LRU} or {@code RANDOM_LRU}. There is no "off": Ignite's page trees do not
     *                         survive a full in-memory region, so the hub always evicts (bound a region's entries
     *                         with {@code eviction_max_size} to refuse writes instead)
     * @param syncRegionMaxMb  off-heap memory for pending write-behind writes and dead letters; never evicted, so when it
 *                         is nearly full, writes to WRITE_BEHIND regions are refused (507) instead of dropped
 * @param journalRegionMaxMb off-heap memory for the change journals of subscribed regions; in memory only, and when
 *                         it is full its pages are evicted: subscribers who then miss an event get a RESYNC
 * @param autoActivate     activate a persistent cluster on its first start
     * @param baselineAutoAdjustSeconds persistence only: how long a node may be gone before the baseline drops it
     *                         and its partitions are rebuilt on the others (a rolling restart stays below this)
     */
    public record Storage(
            @JsonProperty("persistence") boolean persistence,
            @JsonProperty("data_region_initial_mb") long dataRegionInitialMb,
            @JsonProperty("data_region_max_mb") long dataRegionMaxMb,
            @JsonProperty("system_region_max_mb") long systemRegionMaxMb,
            @JsonProperty("sync_region_max_mb") long syncRegionMaxMb,
            @JsonProperty("journal_region_max_mb") long journalRegionMaxMb,
            @JsonProperty("page_eviction") String pageEviction,
            @JsonProperty("auto_activate") boolean autoActivate,
            @JsonProperty("baseline_auto_adjust_seconds") long baselineAutoAdjustSeconds) {
        public Storage {
            List<FieldError> errors = new ArrayList<>();
            if (dataRegionMaxMb < 10) {
                errors.add(new FieldError("storage.data_region_max_mb", "must be at least 10 (MB), was " + dataRegionMaxMb));
            }
            if (dataRegionInitialMb < 10 || dataRegionInitialMb > dataRegionMaxMb) {
                dataRegionInitialMb = Math.max(10, Math.min(256, dataRegionMaxMb));
            }
            if (systemRegionMaxMb < 10) {
                errors.add(new FieldError("storage.system_region_max_mb", "must be at least 10 (MB), was " + systemRegionMaxMb));
            }
            if (syncRegionMaxMb == 0) {
                syncRegionMaxMb = 128;
            }
            if (syncRegionMaxMb < 10) {
                errors.add(new FieldError("storage.sync_region_max_mb", "must be at least 10 (MB), was " + syncRegionMaxMb));
            }
            if (journalRegionMaxMb == 0) {
                journalRegionMaxMb = 256;
            }
            if (journalRegionMaxMb < 10) {
                errors.add(new FieldError("storage.journal_region_max_mb", "must be at least 10 (MB), was " + journalRegionMaxMb));
            }
            if (baselineAutoAdjustSeconds < 0) {
                errors.add(new FieldError("storage.baseline_auto_adjust_seconds", "must be >= 0, was " + baselineAutoAdjustSeconds));
            }
            if (pageEviction == null) {
                pageEviction = "RANDOM_2_LRU";
            }
            if (!List.of("RANDOM_2_LRU", "RANDOM_LRU").contains(pageEviction)) {
                // DISABLED is not offered: a full in-memory region without eviction corrupts Ignite's page trees
                errors.add(new FieldError("storage.page_eviction", "must be RANDOM_2_LRU or RANDOM_LRU, was " + pageEviction));
            }
            fail(errors);
        }
    }

    /** What a region gets for the settings its spec leaves out. */
    public record Defaults(
            @JsonProperty("cache_mode") CacheMode cacheMode,
            @JsonProperty("backups") int backups,
            @JsonProperty("atomicity_mode") AtomicityMode atomicityMode,
            @JsonProperty("cache_strategy") CacheStrategy cacheStrategy,
            @JsonProperty("eviction_max_size") Long evictionMaxSize) {
        public Defaults {
            List<FieldError> errors = new ArrayList<>();
            if (backups < 0) {
                errors.add(new FieldError("defaults.backups", "must be >= 0"));
            }
            if (evictionMaxSize != null && evictionMaxSize <= 0) {
                errors.add(new FieldError("defaults.eviction_max_size", "must be positive"));
            }
            fail(errors);
        }

        public RegionDefaults toRegionDefaults() {
            return new RegionDefaults(
                    cacheMode != null ? cacheMode : CacheMode.PARTITIONED,
                    backups,
                    atomicityMode != null ? atomicityMode : AtomicityMode.TRANSACTIONAL,
                    cacheStrategy != null ? cacheStrategy : CacheStrategy.NONE,
                    evictionMaxSize);
        }
    }

    /**
     * The query plane, per node.
     *
     * @param maxOpenCursors            the most SQL cursors (pages still to fetch) open on a node at once; past it a
     *                                  query that would leave one open is a 503
     * @param cursorIdleSeconds         how long an open cursor waits for its next page request before it is closed
     * @param maxTransactionOperations  the most operations one {@code POST /transactions} may hold
     */
    public record Query(@JsonProperty("max_open_cursors") int maxOpenCursors,
                        @JsonProperty("cursor_idle_seconds") int cursorIdleSeconds,
                        @JsonProperty("max_transaction_operations") int maxTransactionOperations) {
        public static final Query DEFAULTS = new Query(0, 0, 0);

        public Query {
            maxOpenCursors = maxOpenCursors <= 0 ? 100 : maxOpenCursors;
            cursorIdleSeconds = cursorIdleSeconds <= 0 ? 60 : cursorIdleSeconds;
            maxTransactionOperations = maxTransactionOperations <= 0 ? 1000 : maxTransactionOperations;
            List<FieldError> errors = new ArrayList<>();
            if (maxOpenCursors > 100_000) {
                errors.add(new FieldError("query.max_open_cursors", "must be at most 100000, was " + maxOpenCursors));
            }
            if (maxTransactionOperations > 100_000) {
                errors.add(new FieldError("query.max_transaction_operations", "must be at most 100000, was " + maxTransactionOperations));
            }
            fail(errors);
        }
    }

    /**
     * Region change subscriptions, per node (journal retention: per journal, these are the defaults).
     *
     * @param maxPerNode           subscriptions one node serves at once (more: 429)
     * @param maxLagEvents         a subscriber further behind than this is closed as too slow (it can resume)
     * @param sendTimeoutMs        a client that does not take an event within this is closed as too slow
     * @param heartbeatSeconds     how often an idle subscription gets a heartbeat
     * @param maxSnapshotRows      the most rows a snapshot=true subscription starts with
     * @param journalMaxEvents     events a journal keeps (newest)
     * @param journalMaxAgeSeconds how long a journal keeps an event
     * @param maxPendingChanges    changes a node holds per journaled region until it sees them journaled
     */
    public record Subscriptions(@JsonProperty("max_per_node") int maxPerNode,
                                @JsonProperty("max_lag_events") long maxLagEvents,
                                @JsonProperty("send_timeout_ms") long sendTimeoutMs,
                                @JsonProperty("heartbeat_seconds") long heartbeatSeconds,
                                @JsonProperty("max_snapshot_rows") int maxSnapshotRows,
                                @JsonProperty("journal_max_events") int journalMaxEvents,
                                @JsonProperty("journal_max_age_seconds") long journalMaxAgeSeconds,
                                @JsonProperty("max_pending_changes") int maxPendingChanges) {
        public static final Subscriptions DEFAULTS = new Subscriptions(0, 0, 0, 0, 0, 0, 0, 0);

        public Subscriptions {
            maxPerNode = maxPerNode <= 0 ? 1000 : maxPerNode;
            maxLagEvents = maxLagEvents <= 0 ? 100_000 : maxLagEvents;
            sendTimeoutMs = sendTimeoutMs <= 0 ? 10_000 : sendTimeoutMs;
            heartbeatSeconds = heartbeatSeconds <= 0 ? 15 : heartbeatSeconds;
            maxSnapshotRows = maxSnapshotRows <= 0 ? 1_000_000 : maxSnapshotRows;
            journalMaxEvents = journalMaxEvents <= 0 ? 100_000 : journalMaxEvents;
            journalMaxAgeSeconds = journalMaxAgeSeconds <= 0 ? 3600 : journalMaxAgeSeconds;
            maxPendingChanges = maxPendingChanges <= 0 ? 200_000 : maxPendingChanges;
            List<FieldError> errors = new ArrayList<>();
            if (maxPerNode > 100_000) {
                errors.add(new FieldError("subscriptions.max_per_node", "must be at most 100000 (each subscription has a thread), was " + maxPerNode));
            }
            if (journalMaxEvents > 10_000_000) {
                errors.add(new FieldError("subscriptions.journal_max_events", "must be at most 10000000, was " + journalMaxEvents));
            }
            if (journalMaxAgeSeconds > 7 * 24 * 3600) {
                errors.add(new FieldError("subscriptions.journal_max_age_seconds", "must be at most a week (604800), was " + journalMaxAgeSeconds));
            }
            fail(errors);
        }
    }
}
