package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import com.cronutils.model.time.ExecutionTime;
import io.dih.api.BindingSpec;
import io.dih.api.ConsistencyLevel;
import io.dih.api.SourceSpec;
import io.dih.api.SyncMode;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.server.source.Plan;
import io.dih.server.source.Schedules;
import io.dih.server.source.SourceRegistry;
import io.dih.spi.Connector;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.LoadParts;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteLock;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.configuration.CacheConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads of LOAD sources: the first at registration, then on {@code sync_interval_seconds}, a cron {@code schedule},
 * a BOUNDED_STALENESS catch-up or a {@code sync} call. One load per binding runs at a time in the whole cluster (a
 * fail-over-safe Ignite lock), and periodic loads are started by the oldest server node, so another node takes over
 * when it leaves. Load progress and watermarks live in a REPLICATED cache, so any node answers status and a new loader
 * resumes incremental loads where the last one stopped. Rows enter regions through the {@link Applier}.
 */
public final class Loads implements AutoCloseable {
    static final String STATUS_CACHE = "dih_source_status";
    private static final Logger LOG = LoggerFactory.getLogger(Loads.class);

    private final Ignite ignite;
    private final RegionService regions;
    private final SourceRegistry sources;
    private final Applier applier;
    private final IgniteCache<String, LoadState> states;
    private final ExecutorService loaders = Executors.newFixedThreadPool(2, daemon("dih-load"));
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("dih-load-schedule"));
    private final Map<String, ExecutionTime> schedules = new ConcurrentHashMap<>();
    private final LoadPasses passes;
    private volatile boolean closed;

    Loads(Ignite ignite, RegionService regions, SourceRegistry sources, Applier applier) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.applier = requireNonNull(applier, "applier is null");
        this.states = ignite.getOrCreateCache(new CacheConfiguration<String, LoadState>(STATUS_CACHE).setCacheMode(CacheMode.REPLICATED));
        this.passes = new LoadPasses(sources, applier, states, () -> closed);
    }

    void start() {
        ticker.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    static String stateKey(String source, String region) {
        return source.toLowerCase(Locale.ROOT) + "/" + region.toLowerCase(Locale.ROOT);
    }

    /** A binding's load state, or {@code null} before the source is registered (or after it is deleted). */
    LoadState state(String source, String region) {
        return states.get(stateKey(source, region));
    }

    /** A source was registered: every binding gets its state, and a LOAD source its first loads. */
    void registered(SourceSpec spec) {
        for (String region : spec.targetRegions()) {
            states.put(stateKey(spec.sourceName(), region), LoadState.initial());
        }
        if (spec.syncMode() == SyncMode.LOAD) {
            for (String region : spec.targetRegions()) {
                submitLoad(spec, region, true);
            }
        }
    }

    /** A source was deleted: its bindings' states go. */
    void deleted(SourceSpec spec) {
        for (String region : spec.targetRegions()) {
            states.remove(stateKey(spec.sourceName(), region));
        }
    }

    /** Starts a load of every target region now (full, or incremental past the watermark when there is one). */
    void sync(SourceSpec s, boolean full) {
        if (s.syncMode() == SyncMode.NONE) {
            throw new InvalidSpecException("sync_mode", "source '" + s.sourceName() + "' has sync_mode NONE: it stores only, nothing to load");
        }
        long now = System.currentTimeMillis();
        String nodeId = ignite.cluster().localNode().id().toString();
        for (String region : s.targetRegions()) {
            String key = stateKey(s.sourceName(), region);
            LoadState st = states.get(key);
            if (st != null && !loadLock(s.sourceName(), region).isLocked()) { // a running load answers for itself
                boolean fullLoad = full || !st.incremental(s.binding(region));
                states.put(key, st.queued(fullLoad ? "full" : "incremental", now, nodeId));
            }
            submitLoad(s, region, full);
        }
    }

    private void submitLoad(SourceSpec spec, String region, boolean full) {
        loaders.submit(() -> {
            try {
                runLoad(spec, region, full);
            } catch (RuntimeException e) {
                if (closed) { // the node is stopping: the load is cut short, and the next node runs it again
                    LOG.debug("Load of {} into {} stopped with the node: {}", spec.sourceName(), region, e.getMessage());
                    return;
                }
                LOG.warn("Load of {} into {} failed: {}", spec.sourceName(), region, e.getMessage());
            }
        });
    }

    /** The oldest server node starts the loads that are due; every node checks once a second. */
    private void tick() {
        if (closed || !ignite.cluster().state().active()) {
            return;
        }
        try {
            if (!ignite.cluster().forServers().forOldest().node().isLocal()) {
                return;
            }
            long now = System.currentTimeMillis();
            for (SourceSpec s : sources.specs()) {
                if (s.syncMode() != SyncMode.LOAD) {
                    continue;
                }
                for (String region : s.targetRegions()) {
                    BindingSpec b = s.binding(region);
                    LoadState st = states.get(stateKey(s.sourceName(), region));
                    if (st == null || ("LOADING".equals(st.state) && loadLock(s.sourceName(), region).isLocked())) {
                        continue; // a load is running; a LOADING state without its lock is a load whose node died
                    }
                    long last = Math.max(st.lastLoadedAtMillis, st.startedAtMillis);
                    // its loader died, or the node that queued it left: run it again (at-least-once)
                    boolean orphaned = "LOADING".equals(st.state) || st.queued() && !alive(st.queuedOn);
                    // BOUNDED_STALENESS: reload once the data is 3/4 of the bound old, so the bound holds while the source
                    // is up (and the status turns DEGRADED when it cannot); a failed catch-up is retried every few seconds
                    boolean catchUp = s.maxStalenessSeconds() != null && s.consistencyLevel() == ConsistencyLevel.BOUNDED_STALENESS
                            && st.lagMillis(now) >= s.maxStalenessSeconds() * 750 && now - st.startedAtMillis >= Math.min(5000, s.maxStalenessSeconds() * 500);
                    boolean due = orphaned || catchUp || (b.schedule() != null
                            ? Schedules.due(schedules.computeIfAbsent(b.schedule(), e -> Schedules.parse("schedule", e)), last, now)
                            : s.syncIntervalSeconds() != null && now - last >= s.syncIntervalSeconds() * 1000);
                    if (due) {
                        submitLoad(s, region, orphaned ? "full".equals(st.kind) : !st.incremental(b));
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Load schedule check failed: {}", e.getMessage());
        }
    }

    private boolean alive(String nodeId) {
        try {
            return nodeId != null && ignite.cluster().node(UUID.fromString(nodeId)) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether a binding's load is running somewhere in the cluster. */
    boolean running(String source, String region) {
        return loadLock(source, region).isLocked();
    }

    /** One load of one binding, under a cluster-wide lock so two nodes never load the same binding at once. */
    void runLoad(SourceSpec spec, String regionName, boolean fullRequested) {
        String key = stateKey(spec.sourceName(), regionName);
        IgniteLock lock = loadLock(spec.sourceName(), regionName);
        if (!lock.tryLock()) {
            return; // another node is loading this binding right now
        }
        LoadState st = states.get(key);
        long rows = 0;
        try {
            if (st == null || sources.find(spec.sourceName()) == null) {
                return; // deleted meanwhile
            }
            BindingSpec binding = spec.binding(regionName);
            boolean full = fullRequested || !st.incremental(binding);
            Connector connector = sources.connectors().connector(spec);
            Region region = regions.get(regionName);
            Plan plan = sources.planner().planRegistered(spec, connector).get(region.name());
            if (!plan.newColumns().isEmpty()) {
                regions.addColumns(region.name(), spec.sourceName(), plan.newColumns());
                region = regions.get(regionName);
            }
            Optional<LoadParts> parts = connector.parts(binding);
            LoadPasses.Loaded loaded = parts.isPresent() ? passes.parts(spec, region, plan, parts.get(), full, st)
                    : passes.rows(spec, region, plan, full, st);
            rows = loaded.rows();
            states.put(key, loaded.state());
            applier.bulkChanged(region.name());
            long removed = loaded.state().removed;
            LOG.info("Loaded {} rows of {} into {} ({}{})", rows, spec.sourceName(), region.name(), full ? "full" : "incremental",
                    removed > 0 ? ", " + removed + " removed" : "");
        } catch (RuntimeException e) {
            applier.bulkChanged(regionName); // a failed load may have streamed part of its rows
            if (st != null && sources.find(spec.sourceName()) != null) {
                LoadState current = states.get(key); // the running load's progress, when it got that far
                LoadState base = current != null && "LOADING".equals(current.state) ? current : st;
                states.put(key, base.failed(Math.max(rows, base.rowsLoaded), e.getMessage()));
            }
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** The cluster-wide lock of one binding's loads; fail-over-safe, so a dead loader's lock is released. */
    private IgniteLock loadLock(String source, String region) {
        return ignite.reentrantLock("dih-load/" + stateKey(source, region), true, false, true);
    }

    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
        loaders.shutdownNow();
    }
}
