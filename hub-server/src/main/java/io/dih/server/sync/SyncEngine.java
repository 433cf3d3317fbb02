package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import io.dih.api.CacheStrategy;
import io.dih.api.SourceSpec;
import io.dih.api.SyncMode;
import io.dih.server.region.DataPath;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.server.region.RegionStore;
import io.dih.server.source.SourceLifecycle;
import io.dih.server.source.SourceRegistry;
import io.dih.spi.ConflictException;
import io.dih.spi.NotFoundException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.configuration.CacheConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's data path between regions and sources, and the one place its parts are put together: the
 * {@link Applier} every source row enters regions through, {@link Loads}, the CDC feeds, read/write-through
 * ({@link SourceAccess}), the durable write-behind queue, its flushers' published progress and dead letters, and
 * refresh-ahead. It gives regions their {@link DataPath} and is what starts and stops a source's data flow
 * ({@link SourceLifecycle}). Ignite-managed parts (the write-behind and CDC services, cache interceptors and stores)
 * find it in the node-local map under {@link #NODE_LOCAL_KEY}.
 */
public final class SyncEngine implements SourceLifecycle, AutoCloseable {
    public static final String NODE_LOCAL_KEY = "dih.sync";
    static final String STATUS_CACHE = "dih_sync_status";
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);

    private final Ignite ignite;
    private final RegionService regions;
    private final SourceRegistry sources;
    private final SyncSettings settings;
    private final WriteBehindQueue queue;
    private final DeadLetters deadLetters;
    private final SourcePositions positions;
    private final Applier applier;
    private final IngestRetry ingestRetry;
    private final Loads loads;
    private final CdcFeeds cdc;
    private final StreamFeeds streams;
    private final SourceAccess access;
    private final SourceStatuses statuses;
    private final RefreshAhead refreshAhead;
    private final IgniteCache<String, Object> status;
    private final WriteBehindStatuses writeBehind;
    private final RegionDataPath dataPath;
    private volatile boolean closing;
    /**
     * A cache store (on an Ignite thread) must not start a cache proxy, so each node gets the handles of the
     * write-behind queues on its own thread (see prepareQueues), as regions appear.
     */
    private final ScheduledExecutorService preparer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dih-sync-prepare");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean regionsChanged = new AtomicBoolean(true);
    private volatile WriteBehindService localService;
    private volatile CountDownLatch localServiceDone;

    public SyncEngine(Ignite ignite, RegionService regions, SourceRegistry sources, SyncSettings settings) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.queue = new WriteBehindQueue(ignite);
        this.deadLetters = new DeadLetters(ignite, queue);
        this.status = ignite.getOrCreateCache(new CacheConfiguration<String, Object>(STATUS_CACHE).setCacheMode(CacheMode.REPLICATED));
        this.writeBehind = new WriteBehindStatuses(status, queue, deadLetters);
        this.positions = new SourcePositions(ignite);
        this.applier = new Applier(ignite, regions, sources, queue, positions, new IngestDeadLetters(ignite));
        this.ingestRetry = new IngestRetry(ignite, sources, applier);
        this.loads = new Loads(ignite, regions, sources, applier);
        this.cdc = new CdcFeeds(ignite, sources, applier, positions, status);
        this.streams = new StreamFeeds(ignite, sources, positions, cdc, status);
        this.access = new SourceAccess(ignite, regions, sources, applier, queue, positions);
        this.statuses = new SourceStatuses(ignite, regions, sources, this);
        this.dataPath = new RegionDataPath(sources, queue, deadLetters, writeBehind);
        this.refreshAhead = new RefreshAhead(ignite, regions, access, settings.refreshAhead());
        access.attach(refreshAhead);
    }

    /** The engine of the node {@code ignite} runs on, or {@code null} while the node starts or stops. */
    static SyncEngine of(Ignite ignite) {
        Object o = ignite == null ? null : ignite.cluster().nodeLocalMap().get(NODE_LOCAL_KEY);
        return o instanceof SyncEngine e ? e : null;
    }

    /** Registers this engine with its node and starts (or joins) the cluster's write-behind, CDC and load work. */
    public void start() {
        if (WriteBehindQueue.syncDataRegion(ignite) == null) {
            LOG.warn("The Ignite configuration has no data region named '{}': pending write-behind writes and dead letters live "
                    + "in the default data region, where page eviction (if enabled) could drop them. Define '{}' without page "
                    + "eviction in your Spring XML.", WriteBehindQueue.DATA_REGION, WriteBehindQueue.DATA_REGION);
        }
        prepareQueues();
        preparer.scheduleWithFixedDelay(this::prepareQueues, 200, 200, TimeUnit.MILLISECONDS);
        ignite.cluster().nodeLocalMap().put(NODE_LOCAL_KEY, this);
        ignite.cluster().nodeLocalMap().put(RegionStore.NODE_LOCAL_KEY, access);
        ignite.services().deployClusterSingleton(WriteBehindService.NAME, new WriteBehindService());
        cdc.startAll();
        streams.startAll();
        loads.start();
        refreshAhead.start();
    }

    /** Called by the registry listener: what depended on a region or source that changed is worked out again. */
    public void onRegistryChange(String registryKey) {
        if (registryKey.startsWith(RegionService.KIND + "/")) {
            regionsChanged.set(true);
        }
        access.onRegistryChange(registryKey);
        applier.onRegistryChange(registryKey);
    }

    private void prepareQueues() {
        if (!regionsChanged.getAndSet(false)) {
            return; // nothing new since the last walk: no registry read every 200 ms
        }
        try {
            for (Region r : regions.regions()) {
                if (r.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND) {
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

    /** What regions call out to: write-behind queues, deletes this path still needs refused. */
    public DataPath dataPath() {
        return dataPath;
    }

    public SourceRegistry sources() {
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

    public Applier applier() {
        return applier;
    }

    public IngestRetry ingestRetry() {
        return ingestRetry;
    }

    public CdcFeeds cdc() {
        return cdc;
    }

    public StreamFeeds streams() {
        return streams;
    }

    Loads loads() {
        return loads;
    }

    SourceAccess access() {
        return access;
    }

    SyncSettings settings() {
        return settings;
    }

    String nodeName() {
        return ignite.name() == null ? ignite.cluster().localNode().id().toString() : ignite.name();
    }

    boolean closing() {
        return closing;
    }

    // ---- what starts and stops a source's data flow (SourceLifecycle)

    @Override
    public void checkDelete(SourceSpec s, boolean discardPending) {
        if (discardPending) {
            return; // its pending writes stay queued and go to whichever source is bound to the region next
        }
        for (String region : s.targetRegions()) { // writes waiting for this source
            try {
                Region r = regions.get(region);
                if (r.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND
                        && sources.primaryFor(r.name()).filter(b -> b.sourceName().equalsIgnoreCase(s.sourceName())).isPresent()) {
                    long pending = queue.depth(r).pending();
                    if (pending > 0) {
                        throw new ConflictException(pending + " writes to region '" + r.name() + "' are still waiting to reach source '"
                                + s.sourceName() + "'; wait for them (GET .../status) or delete with ?discard_pending=true");
                    }
                }
            } catch (NotFoundException ignored) {
                // the region is gone: nothing pending for it
            }
        }
    }

    @Override
    public void registered(SourceSpec spec) {
        loads.registered(spec);
        if (spec.syncMode() == SyncMode.CDC) {
            cdc.start(spec.sourceName()); // snapshot, then changes, on one node of the cluster
        }
        if (spec.syncMode() == SyncMode.STREAM) {
            streams.start(spec.sourceName()); // one consumer on every server node, in one group
        }
    }

    @Override
    public void deleted(SourceSpec spec) {
        loads.deleted(spec);
        applier.deadLetters().dropAll(spec.sourceName());
        if (spec.syncMode() == SyncMode.CDC) {
            cdc.deleted(spec);
        }
        if (spec.syncMode() == SyncMode.STREAM) {
            streams.deleted(spec);
            applier.forget(spec.sourceName());
        }
    }

    // ---- the sources' sync, as the API drives it

    /** What {@link #control} does to a source's feed. */
    public enum Control { PAUSE, RESUME, RESTART }

    /** Where a source's sync stands. */
    public SourceStatus status(String source) {
        return statuses.status(source);
    }

    /** The BOUNDED_STALENESS sources past their bound, with why: what {@code /health} reports as degraded. */
    public Map<String, String> degraded() {
        return statuses.degraded();
    }

    /** Starts a load of every target region of a source now (full, or incremental past the watermark). */
    public SourceStatus sync(String source, boolean full) {
        loads.sync(sources.spec(source), full);
        return status(source);
    }

    /**
     * Pauses, resumes or restarts a CDC source's engine or a STREAM source's consumers. A paused feed stops reading
     * (the database's replication slot or binlog, or the broker, keeps the changes meanwhile) and stays paused across
     * restarts of the hub; resume and restart go on from the stored or committed offsets, so nothing is lost.
     */
    public SourceStatus control(String source, Control what) {
        SourceSpec s = sources.spec(source);
        if (s.syncMode() != SyncMode.CDC && s.syncMode() != SyncMode.STREAM) {
            throw new ConflictException("source '" + s.sourceName() + "' has sync_mode " + s.syncMode() + "; only CDC and STREAM sources can be "
                    + what.name().toLowerCase(Locale.ROOT) + "d");
        }
        String name = s.sourceName();
        boolean stream = s.syncMode() == SyncMode.STREAM;
        switch (what) {
            case PAUSE -> run(stream, () -> streams.pause(name), () -> cdc.pause(name));
            case RESUME -> run(stream, () -> streams.resume(name), () -> cdc.resume(name));
            case RESTART -> run(stream, () -> streams.restart(name), () -> cdc.restart(name));
            default -> throw new IllegalStateException(what.name());
        }
        LOG.info("{} of source {}: {}", s.syncMode(), s.sourceName(), what);
        return status(source);
    }

    private static void run(boolean first, Runnable ifFirst, Runnable otherwise) {
        (first ? ifFirst : otherwise).run();
    }

    // ---- write-behind

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
        return writeBehind.state(region);
    }

    void publish(String region, WriteBehindState st) {
        writeBehind.publish(region, st);
    }

    /** A region's write-behind, as status and metrics show it. */
    public WriteBehindStatuses.WriteBehindStatus writeBehindStatus(Region r) {
        return writeBehind.status(r);
    }

    // ---- stopping

    /** Stops this node's part at once, without draining (a cancelled stop: what a crash looks like to the others). */
    public void closeNow() {
        synchronized (this) {
            closing = true;
        }
        preparer.shutdownNow();
        positions.close();
        refreshAhead.close();
        loads.close();
        access.close();
        ignite.cluster().nodeLocalMap().remove(RegionStore.NODE_LOCAL_KEY, access);
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
        positions.close();
        refreshAhead.close();
        loads.close();
        if (done != null) {
            try {
                if (!done.await(settings.writeBehind().shutdownFlushSeconds() + 5, TimeUnit.SECONDS)) {
                    LOG.warn("The write-behind flushers did not stop in time; the next node sends their writes again");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        access.close();
        ignite.cluster().nodeLocalMap().remove(RegionStore.NODE_LOCAL_KEY, access);
        ignite.cluster().nodeLocalMap().remove(NODE_LOCAL_KEY, this);
    }
}
