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
import io.dih.spi.LoadPart;
import io.dih.spi.LoadParts;
import io.dih.spi.RowSink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private static final int PROGRESS_EVERY = 5000;

    private final Ignite ignite;
    private final RegionService regions;
    private final SourceRegistry sources;
    private final Applier applier;
    private final IgniteCache<String, LoadState> states;
    private final ExecutorService loaders = Executors.newFixedThreadPool(2, daemon("dih-load"));
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("dih-load-schedule"));
    private final Map<String, ExecutionTime> schedules = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Loads(Ignite ignite, RegionService regions, SourceRegistry sources, Applier applier) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.applier = requireNonNull(applier, "applier is null");
        this.states = ignite.getOrCreateCache(new CacheConfiguration<String, LoadState>(STATUS_CACHE).setCacheMode(CacheMode.REPLICATED));
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
            Loaded loaded = parts.isPresent() ? loadParts(spec, region, plan, parts.get(), full, st)
                    : loadRows(spec, region, plan, full, st);
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

    /** A finished load: the rows it read and the state it leaves. */
    private record Loaded(long rows, LoadState state) {
    }

    /** A load of every row (full), or of the rows past the watermark. */
    private Loaded loadRows(SourceSpec spec, Region region, Plan plan, boolean full, LoadState before) {
        String key = stateKey(spec.sourceName(), region.name());
        BindingSpec binding = spec.binding(region.name());
        Connector connector = sources.connectors().connector(spec);
        Object after = full ? null : before.watermark;
        long total = connector.count(binding, after).orElse(-1);
        LoadState st = before.started(full ? "full" : "incremental", total, System.currentTimeMillis());
        states.put(key, st);
        long[] count = {0};
        Object watermark;
        long removed;
        try (LoadWriter load = applier.load(spec, region, plan, full)) {
            watermark = connector.load(binding, after, new RowSink() {
                @Override
                public void accept(Map<String, Object> row) {
                    checkGoingOn(spec, count[0]);
                    load.accept(row);
                    if (++count[0] % PROGRESS_EVERY == 0) {
                        states.put(key, st.progress(count[0]));
                    }
                }

                @Override
                public void unreadable(String position, String raw, String error) {
                    load.unreadable(position, raw, error);
                }
            });
            removed = load.finish();
        }
        return new Loaded(count[0], st.finished(count[0], removed, watermark == null ? st.watermark : watermark, System.currentTimeMillis()));
    }

    /**
     * A load of a source made of parts (the objects of a bucket): every part on a full load, else only the parts whose
     * version changed since the last load; afterwards the entries of the parts that are gone leave the region, and so
     * do those of a part read again that its new version no longer has (each entry names its part in a column). Where
     * the region has no such column (the binding mapped it away), every load is full.
     */
    private Loaded loadParts(SourceSpec spec, Region region, Plan plan, LoadParts parts, boolean fullRequested, LoadState before) {
        String key = stateKey(spec.sourceName(), region.name());
        BindingSpec binding = spec.binding(region.name());
        Connector connector = sources.connectors().connector(spec);
        String partColumn = null;
        for (Map.Entry<String, String> m : plan.columnMap().entrySet()) {
            if (m.getValue().equals(parts.column())) {
                partColumn = m.getKey();
            }
        }
        Map<String, String> last = before.watermark instanceof PartVersions v ? v.versions() : Map.of();
        boolean full = fullRequested || partColumn == null || last.isEmpty();
        List<LoadPart> toRead = new ArrayList<>();
        Map<String, String> now = new LinkedHashMap<>();
        long bytes = 0;
        for (LoadPart p : parts.parts()) {
            now.put(p.name(), p.version());
            if (full || !p.version().equals(last.get(p.name()))) {
                toRead.add(p);
                bytes += Math.max(0, p.bytes());
            }
        }
        Set<String> gone = new HashSet<>(last.keySet());
        gone.removeAll(now.keySet());
        LoadState st = before.started(full ? "full" : "incremental", -1, System.currentTimeMillis());
        LoadState.PartProgress progress = new LoadState.PartProgress(0, toRead.size(), 0, bytes, parts.parts().size() - toRead.size(),
                full ? 0 : gone.size());
        states.put(key, st.withParts(progress));
        long[] count = {0};
        long removed;
        try (LoadWriter load = applier.load(spec, region, plan, full)) {
            Map<String, Set<Object>> reread = new HashMap<>();
            long bytesDone = 0;
            for (int i = 0; i < toRead.size(); i++) {
                LoadPart part = toRead.get(i);
                // a part that was there before may have lost rows: remember what its new version has
                Set<Object> keys = !full && last.containsKey(part.name()) ? reread.computeIfAbsent(part.name(), n -> new HashSet<>()) : null;
                LoadState.PartProgress at = new LoadState.PartProgress(i, toRead.size(), bytesDone, bytes, progress.unchanged(), progress.gone());
                connector.loadPart(binding, part, new RowSink() {
                    @Override
                    public void accept(Map<String, Object> row) {
                        checkGoingOn(spec, count[0]);
                        Object k = load.accept(row);
                        if (keys != null && k != null) {
                            keys.add(k);
                        }
                        if (++count[0] % PROGRESS_EVERY == 0) {
                            states.put(key, st.progress(count[0]).withParts(at));
                        }
                    }

                    @Override
                    public void unreadable(String position, String raw, String error) {
                        load.unreadable(position, raw, error);
                    }
                });
                bytesDone += Math.max(0, part.bytes());
                progress = new LoadState.PartProgress(i + 1, toRead.size(), bytesDone, bytes, progress.unchanged(), progress.gone());
                states.put(key, st.progress(count[0]).withParts(progress));
            }
            removed = full ? load.finish() : load.removeStaleParts(partColumn, gone, reread);
        }
        return new Loaded(count[0], st.finished(count[0], removed, new PartVersions(now), System.currentTimeMillis()).withParts(progress));
    }

    private void checkGoingOn(SourceSpec spec, long rowsSoFar) {
        if (rowsSoFar % PROGRESS_EVERY == 0 && (closed || sources.find(spec.sourceName()) == null)) {
            throw new IllegalStateException("the source was deleted or the node is stopping");
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
