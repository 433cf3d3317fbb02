package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.server.node.HubConfig;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.server.source.SourceService;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.configuration.CacheConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part of keeping regions and sources in step: the write-behind queue and dead letters, the flushers'
 * published progress, and refresh-ahead. Ignite-managed parts (the write-behind service, cache interceptors) find it
 * in the node-local map under {@link #NODE_LOCAL_KEY}.
 */
public final class SyncEngine implements AutoCloseable {
    public static final String NODE_LOCAL_KEY = "dih.sync";
    static final String STATUS_CACHE = "dih_sync_status";
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);

    private final Ignite ignite;
    private final RegionService regions;
    private final SourceService sources;
    private final HubConfig.Sync settings;
    private final WriteBehindQueue queue;
    private final DeadLetters deadLetters;
    private final RefreshAhead refreshAhead;
    private final IgniteCache<String, Object> status;
    /** Each CDC source's feed offsets (opaque strings), replicated to every node. */
    private final IgniteCache<String, java.util.HashMap<String, String>> cdcOffsets;
    /** The source position and sequence of the last change applied to each key of a CDC region: stale changes are dropped. */
    private final IgniteCache<String, long[]> cdcPositions;
    private volatile java.util.function.ObjLongConsumer<String> cdcLagListener = (s, l) -> { };
    private volatile boolean closing;
    /** Prepares every WRITE_BEHIND region's queue handle on this node, off Ignite's threads (see prepareQueues). */
    private final java.util.concurrent.ScheduledExecutorService preparer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dih-sync-prepare");
        t.setDaemon(true);
        return t;
    });
    private volatile WriteBehindService localService;
    private volatile CountDownLatch localServiceDone;

    public SyncEngine(Ignite ignite, RegionService regions, SourceService sources, HubConfig.Sync settings) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.queue = new WriteBehindQueue(ignite);
        this.deadLetters = new DeadLetters(ignite, queue);
        this.status = ignite.getOrCreateCache(new CacheConfiguration<String, Object>(STATUS_CACHE).setCacheMode(CacheMode.REPLICATED));
        this.cdcOffsets = ignite.getOrCreateCache(new CacheConfiguration<String, java.util.HashMap<String, String>>("dih_cdc_offsets")
                .setCacheMode(CacheMode.REPLICATED)
                .setAtomicityMode(org.apache.ignite.cache.CacheAtomicityMode.TRANSACTIONAL)
                .setWriteSynchronizationMode(org.apache.ignite.cache.CacheWriteSynchronizationMode.FULL_SYNC));
        CacheConfiguration<String, long[]> positions = new CacheConfiguration<String, long[]>("dih_cdc_positions")
                .setBackups(1)
                .setAtomicityMode(org.apache.ignite.cache.CacheAtomicityMode.TRANSACTIONAL)
                .setWriteSynchronizationMode(org.apache.ignite.cache.CacheWriteSynchronizationMode.FULL_SYNC);
        if (WriteBehindQueue.syncDataRegion(ignite) != null) {
            positions.setDataRegionName(io.dih.server.node.IgniteConfigFactory.SYNC_DATA_REGION);
        }
        this.cdcPositions = ignite.getOrCreateCache(positions);
        this.refreshAhead = new RefreshAhead(ignite, regions, sources, settings.refreshAhead());
    }

    /** The engine of the node {@code ignite} runs on, or {@code null} while the node starts or stops. */
    static SyncEngine of(Ignite ignite) {
        Object o = ignite == null ? null : ignite.cluster().nodeLocalMap().get(NODE_LOCAL_KEY);
        return o instanceof SyncEngine e ? e : null;
    }

    /** Registers this engine with its node and starts (or joins) the cluster's write-behind singleton. */
    public void start() {
        if (WriteBehindQueue.syncDataRegion(ignite) == null) {
            LOG.warn("The Ignite configuration has no data region named '{}': pending write-behind writes and dead letters live "
                    + "in the default data region, where page eviction (if enabled) could drop them. Define '{}' without page "
                    + "eviction in your Spring XML.", io.dih.server.node.IgniteConfigFactory.SYNC_DATA_REGION,
                    io.dih.server.node.IgniteConfigFactory.SYNC_DATA_REGION);
        }
        prepareQueues();
        preparer.scheduleWithFixedDelay(this::prepareQueues, 200, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        ignite.cluster().nodeLocalMap().put(NODE_LOCAL_KEY, this);
        ignite.services().deployClusterSingleton(WriteBehindService.NAME, new WriteBehindService());
        for (String source : sources.cdcSources()) {
            if (!cdcPaused(source)) {
                startCdc(source);
            }
        }
        refreshAhead.start();
    }

    /**
     * A cache store (on an Ignite thread) must not start a cache proxy, so each node gets the handles of the
     * write-behind queues here, on its own thread, as regions appear.
     */
    private final java.util.concurrent.atomic.AtomicBoolean regionsChanged = new java.util.concurrent.atomic.AtomicBoolean(true);

    /** Called by the registry listener: a region came or went, so the queue handles are looked at again. */
    public void onRegistryChange(String registryKey) {
        if (registryKey.startsWith(RegionService.KIND + "/")) {
            regionsChanged.set(true);
        }
    }

    private void prepareQueues() {
        if (!regionsChanged.getAndSet(false)) {
            return; // nothing new since the last walk: no registry read every 200 ms
        }
        try {
            for (Region r : regions.regions()) {
                if (r.spec().cacheStrategy() == io.dih.api.CacheStrategy.WRITE_BEHIND) {
                    queue.prepare(r);
                }
            }
        } catch (RuntimeException e) {
            regionsChanged.set(true); // try again next round
            LOG.debug("Preparing write-behind queues failed: {}", e.getMessage());
        }
    }

    public RegionService regions() {
        return regions;
    }

    public SourceService sources() {
        return sources;
    }

    public WriteBehindQueue queue() {
        return queue;
    }

    public DeadLetters deadLetters() {
        return deadLetters;
    }

    public RefreshAhead refreshAhead() {
        return refreshAhead;
    }

    HubConfig.Sync settings() {
        return settings;
    }

    String nodeName() {
        return ignite.name() == null ? ignite.cluster().localNode().id().toString() : ignite.name();
    }

    boolean closing() {
        return closing;
    }

    /** Called by the write-behind service when it runs on this node; false once the node is stopping. */
    synchronized boolean running(WriteBehindService service) {
        if (closing) {
            return false;
        }
        if (localService != service) {
            localService = service;
            localServiceDone = new CountDownLatch(1);
        }
        return true;
    }

    synchronized void stopped(WriteBehindService service) {
        if (localService == service && localServiceDone != null) {
            localServiceDone.countDown();
        }
    }

    WriteBehindState writeBehindState(String region) {
        return (WriteBehindState) status.get("wb/" + region.toLowerCase(Locale.ROOT));
    }

    /** Starts (or joins) the cluster singleton that runs a CDC source's engine. Idempotent. */
    public void startCdc(String source) {
        ignite.services().deployClusterSingleton(CdcService.serviceName(source), new CdcService(source));
    }

    /**
     * Stops a CDC source's engine everywhere and forgets its offsets, progress, pause and per-key positions (a source
     * registered later, perhaps on another database whose log positions are lower, starts afresh).
     */
    public void stopCdc(String source) {
        ignite.services().cancel(CdcService.serviceName(source));
        String key = source.toLowerCase(Locale.ROOT);
        cdcOffsets.remove(key);
        cdcOffsets.remove(PAUSED + key);
        cdcOffsets.remove(HISTORY + key);
        status.remove("cdc/" + key);
        String prefix = key + "/";
        java.util.Set<String> batch = new java.util.TreeSet<>();
        try (org.apache.ignite.cache.query.QueryCursor<javax.cache.Cache.Entry<String, long[]>> cursor = cdcPositions.query(
                new org.apache.ignite.cache.query.ScanQuery<String, long[]>((k, v) -> k.startsWith(prefix)))) {
            for (javax.cache.Cache.Entry<String, long[]> e : cursor) {
                batch.add(e.getKey());
                if (batch.size() == 1000) {
                    cdcPositions.removeAll(batch);
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty()) {
            cdcPositions.removeAll(batch);
        }
    }

    /** Records hub writes' positions off the writing thread (a cache store's thread must not call caches). */
    private final java.util.concurrent.ExecutorService hubWrites = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dih-cdc-hub-writes");
        t.setDaemon(true);
        return t;
    });

    /**
     * The hub wrote these keys of a region through to a CDC source, at log position {@code at} or before: each key's
     * position is raised to it, so the feed drops the write's own changes (and any older ones) when they come back
     * instead of letting an older write's echo overwrite a newer write. Done asynchronously, within milliseconds;
     * changes the database makes later have higher positions and apply as usual.
     */
    public void recordHubWrite(String source, Region region, java.util.Collection<?> keys, long at) {
        java.util.Set<String> posKeys = new java.util.TreeSet<>();
        for (Object k : keys) {
            posKeys.add(positionKey(source, region.name(), io.dih.server.region.EntryCodec.keyText(region, k)));
        }
        try {
            hubWrites.execute(() -> {
                try {
                    cdcPositions.invokeAll(posKeys, new RaisePosition(at));
                } catch (RuntimeException e) {
                    LOG.debug("Recording hub writes to {} at {} failed: {}", source, at, e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the node is stopping
        }
    }

    /** Raises a key's CDC position to a hub write's position (never lowers it). A plain class: Ignite ships it. */
    static final class RaisePosition implements org.apache.ignite.cache.CacheEntryProcessor<String, long[], Void> {
        private static final long serialVersionUID = 1L;
        private final long at;

        RaisePosition(long at) {
            this.at = at;
        }

        @Override
        public Void process(javax.cache.processor.MutableEntry<String, long[]> entry, Object... args) {
            long[] cur = entry.getValue();
            if (cur == null || Long.compareUnsigned(cur[0], at) < 0) {
                entry.setValue(new long[] {at, 0});
            }
            return null;
        }
    }

    /** The key under which {@code dih_cdc_positions} keeps the position of a region key's last change from a source. */
    public static String positionKey(String source, String region, String keyText) {
        return source.toLowerCase(Locale.ROOT) + "/" + region.toLowerCase(Locale.ROOT) + "/" + keyText;
    }

    /**
     * Marks a source paused under this prefix in {@code dih_cdc_offsets} (replicated, persisted with the offsets, so a
     * paused source stays paused when nodes restart). Source names cannot contain '/', so it never meets a source key.
     */
    private static final String PAUSED = "paused/";
    /** A binlog feed's schema history lives under this prefix in {@code dih_cdc_offsets}, next to its offsets. */
    private static final String HISTORY = "history/";

    /** Pauses a CDC source: its engine stops, its offsets, slot and regions stay; {@link #resumeCdc} goes on from there. */
    public void pauseCdc(String source) {
        String key = source.toLowerCase(Locale.ROOT);
        cdcOffsets.put(PAUSED + key, new java.util.HashMap<>(Map.of("at", Instant.now().toString())));
        ignite.services().cancel(CdcService.serviceName(source));
    }

    /** Resumes a paused CDC source from its stored offsets (or starts it when it is not running). */
    public void resumeCdc(String source) {
        cdcOffsets.remove(PAUSED + source.toLowerCase(Locale.ROOT));
        startCdc(source);
    }

    /** Stops and starts a CDC source's engine (it resumes from its stored offsets, possibly on another node); unpauses it. */
    public void restartCdc(String source) {
        ignite.services().cancel(CdcService.serviceName(source));
        resumeCdc(source);
    }

    /** Whether a CDC source is paused through the API. */
    public boolean cdcPaused(String source) {
        return cdcOffsets.containsKey(PAUSED + source.toLowerCase(Locale.ROOT));
    }

    /** The offsets of a CDC source's feed, kept in a replicated cache. */
    io.dih.spi.OffsetStore cdcOffsets(String source) {
        String key = source.toLowerCase(Locale.ROOT);
        return new io.dih.spi.OffsetStore() {
            @Override
            public Map<String, String> load() {
                java.util.HashMap<String, String> m = cdcOffsets.get(key);
                return m == null ? Map.of() : m;
            }

            @Override
            public void save(Map<String, String> offsets) {
                cdcOffsets.put(key, new java.util.HashMap<>(offsets));
            }

            /** The schema history: records under "0", "1", … of one entry (only the feed's single engine appends). */
            @Override
            public java.util.List<String> history() {
                java.util.HashMap<String, String> m = cdcOffsets.get(HISTORY + key);
                java.util.List<String> out = new java.util.ArrayList<>();
                for (int i = 0; m != null && m.containsKey(Integer.toString(i)); i++) {
                    out.add(m.get(Integer.toString(i)));
                }
                return out;
            }

            @Override
            public void appendHistory(String record) {
                java.util.HashMap<String, String> m = cdcOffsets.get(HISTORY + key);
                java.util.HashMap<String, String> next = m == null ? new java.util.HashMap<>() : new java.util.HashMap<>(m);
                next.put(Integer.toString(next.size()), record);
                cdcOffsets.put(HISTORY + key, next);
            }
        };
    }

    public IgniteCache<String, long[]> cdcPositions() {
        return cdcPositions;
    }

    CdcState cdcState(String source) {
        Object o = status.get("cdc/" + source.toLowerCase(Locale.ROOT));
        return o instanceof CdcState c ? c : null;
    }

    /** What a CDC source's engine applied to one of its regions: snapshot rows and change events (zeros before any). */
    public record CdcRegion(long snapshotRows, long events) {
    }

    public CdcRegion cdcRegion(String source, String region) {
        CdcState st = cdcState(source);
        long[] c = st == null || st.regions == null ? null : st.regions.get(region.toLowerCase(Locale.ROOT));
        return c == null ? new CdcRegion(0, 0) : new CdcRegion(c[0], c[1]);
    }

    void publishCdc(String source, CdcState st) {
        status.put("cdc/" + source.toLowerCase(Locale.ROOT), st);
    }

    /** Where CDC lags (source commit → visible) go: the node's metrics. */
    public void onCdcLag(java.util.function.ObjLongConsumer<String> listener) {
        this.cdcLagListener = listener;
    }

    void recordCdcLag(String source, long lagMillis) {
        cdcLagListener.accept(source, lagMillis);
    }

    /** A CDC source's engine, as status shows it. */
    public record CdcStatus(
            @JsonProperty("state") String state,
            @JsonProperty("snapshot_rows") long snapshotRows,
            @JsonProperty("snapshot_total") Long snapshotTotal,
            @JsonProperty("snapshot_percent") Double snapshotPercent,
            @JsonProperty("events") long events,
            @JsonProperty("events_per_second") double eventsPerSecond,
            @JsonProperty("lag_ms") long lagMs,
            @JsonProperty("lag_p50_ms") long lagP50Ms,
            @JsonProperty("lag_p99_ms") long lagP99Ms,
            @JsonProperty("max_lag_ms") long maxLagMs,
            @JsonProperty("stale_skipped") long staleSkipped,
            @JsonProperty("last_event_at") String lastEventAt,
            @JsonProperty("error") String error,
            @JsonProperty("error_at") String errorAt,
            @JsonProperty("node") String node) {
    }

    public CdcStatus cdcStatus(String source) {
        CdcState st = cdcState(source);
        if (st == null) {
            st = new CdcState();
        }
        boolean paused = cdcPaused(source);
        Long total = st.snapshotTotal >= 0 ? st.snapshotTotal : null;
        Double percent = st.snapshotDone ? Double.valueOf(100.0)
                : total == null || total == 0 ? null : Math.min(100.0, Math.round(st.snapshotRows * 1000.0 / total) / 10.0);
        return new CdcStatus(paused ? "PAUSED" : st.state, st.snapshotRows, total, percent, st.events,
                paused ? 0 : Math.round(st.eventsPerSecond * 10) / 10.0, st.lastLagMillis, st.lagP50Millis, st.lagP99Millis,
                st.maxLagMillis, st.skippedStale, st.lastEventAtMillis == 0 ? null : Instant.ofEpochMilli(st.lastEventAtMillis).toString(),
                st.error, st.errorAtMillis == 0 ? null : Instant.ofEpochMilli(st.errorAtMillis).toString(), st.node);
    }

    void publish(String region, WriteBehindState st) {
        status.put("wb/" + region.toLowerCase(Locale.ROOT), st);
    }

    /** A region's write-behind, as status and metrics show it. */
    public record WriteBehindStatus(
            @JsonProperty("state") String state,
            @JsonProperty("pending") long pending,
            @JsonProperty("oldest_pending_age_ms") long oldestPendingAgeMs,
            @JsonProperty("flushed") long flushed,
            @JsonProperty("writes_per_second") double writesPerSecond,
            @JsonProperty("retries") long retries,
            @JsonProperty("dead_letters") long deadLetters,
            @JsonProperty("backoff_ms") long backoffMs,
            @JsonProperty("last_flush_at") String lastFlushAt,
            @JsonProperty("last_error") String lastError,
            @JsonProperty("last_error_at") String lastErrorAt,
            @JsonProperty("flusher_node") String flusherNode) {
    }

    public WriteBehindStatus writeBehindStatus(Region r) {
        WriteBehindQueue.Depth d = queue.depth(r);
        WriteBehindState st = writeBehindState(r.name());
        if (st == null) {
            st = new WriteBehindState();
            st.state = "STARTING";
        }
        long now = System.currentTimeMillis();
        return new WriteBehindStatus(st.state, d.pending(), d.oldestAgeMillis(now), st.flushed, Math.round(st.writesPerSecond * 10) / 10.0,
                st.retries, deadLetters.count(r), st.backoffMillis,
                st.lastFlushAtMillis == 0 ? null : Instant.ofEpochMilli(st.lastFlushAtMillis).toString(),
                st.lastError, st.lastErrorAtMillis == 0 ? null : Instant.ofEpochMilli(st.lastErrorAtMillis).toString(), st.node);
    }

    /** Drops what a deleted region leaves behind: its queue, dead letters and progress. */
    public void regionDeleted(String region) {
        queue.destroy(region);
        deadLetters.dropAll(region);
        status.remove("wb/" + region.toLowerCase(Locale.ROOT));
    }

    /** Stops this node's part at once, without draining (a cancelled stop: what a crash looks like to the others). */
    public void closeNow() {
        synchronized (this) {
            closing = true;
        }
        preparer.shutdownNow();
        refreshAhead.close();
        ignite.cluster().nodeLocalMap().remove(NODE_LOCAL_KEY, this);
    }

    /**
     * Stops this node's part: if the write-behind flushers run here, they drain for up to
     * {@code shutdown_flush_seconds} and leave the rest queued for the node that takes over.
     */
    @Override
    public void close() {
        CountDownLatch done;
        synchronized (this) {
            closing = true;
            done = localService != null ? localServiceDone : null;
        }
        preparer.shutdownNow();
        hubWrites.shutdown();
        refreshAhead.close();
        if (done != null) {
            try {
                if (!done.await(settings.writeBehind().shutdownFlushSeconds() + 5, TimeUnit.SECONDS)) {
                    LOG.warn("The write-behind flushers did not stop in time; the next node sends their writes again");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ignite.cluster().nodeLocalMap().remove(NODE_LOCAL_KEY, this);
    }
}
