package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.server.node.HubConfig;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.server.source.SourceService;
import java.time.Instant;
import java.util.Locale;
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
    private final IgniteCache<String, WriteBehindState> status;
    private volatile boolean closing;
    private volatile WriteBehindService localService;
    private volatile CountDownLatch localServiceDone;

    public SyncEngine(Ignite ignite, RegionService regions, SourceService sources, HubConfig.Sync settings) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.queue = new WriteBehindQueue(ignite);
        this.deadLetters = new DeadLetters(ignite, queue);
        this.status = ignite.getOrCreateCache(new CacheConfiguration<String, WriteBehindState>(STATUS_CACHE).setCacheMode(CacheMode.REPLICATED));
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
        ignite.cluster().nodeLocalMap().put(NODE_LOCAL_KEY, this);
        ignite.services().deployClusterSingleton(WriteBehindService.NAME, new WriteBehindService());
        refreshAhead.start();
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
        return status.get("wb/" + region.toLowerCase(Locale.ROOT));
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
