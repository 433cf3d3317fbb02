package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import io.dih.api.BindingSpec;
import io.dih.api.CacheStrategy;
import io.dih.api.SourceSpec;
import io.dih.api.SyncMode;
import io.dih.server.region.ColumnValues;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.server.region.RegionStore;
import io.dih.server.source.Plan;
import io.dih.server.source.SourceRegistry;
import io.dih.spi.Connector;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.UnavailableException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ignite.Ignite;
import org.apache.ignite.binary.BinaryObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-through and write-through between a region and its primary source, for the regions' cache stores, refresh-ahead
 * and the write-behind flushers. A read that times out or fails goes to the source's fallback, if it has one. A row
 * read through enters the region through the {@link Applier}'s conversion, as every row from a source does.
 */
public final class SourceAccess implements RegionStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceAccess.class);

    private final Ignite ignite;
    private final RegionService regions;
    private final SourceRegistry sources;
    private final Applier applier;
    private final WriteBehindQueue queue;
    private final SourcePositions positions;
    private volatile RefreshAhead refreshAhead;
    /** A region's source, as read/write-through needs it; computed on first use, dropped on any source change. */
    private final Map<String, Optional<Bound>> bound = new ConcurrentHashMap<>();
    private final Map<String, ReadCounters> readCounters = new ConcurrentHashMap<>();
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dih-read-through");
        t.setDaemon(true);
        return t;
    });

    private record Bound(SourceSpec spec, BindingSpec binding, Plan plan) {
    }

    /** Read-through counters of one source on this node. */
    static final class ReadCounters {
        final AtomicLong reads = new AtomicLong();
        final AtomicLong timeouts = new AtomicLong();
        final AtomicLong fallbacks = new AtomicLong();
    }

    SourceAccess(Ignite ignite, RegionService regions, SourceRegistry sources, Applier applier, WriteBehindQueue queue,
                 SourcePositions positions) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.applier = requireNonNull(applier, "applier is null");
        this.queue = requireNonNull(queue, "queue is null");
        this.positions = requireNonNull(positions, "positions is null");
    }

    /** Connects refresh-ahead, which hears of the reads of REFRESH_AHEAD regions. */
    void attach(RefreshAhead refresher) {
        this.refreshAhead = refresher;
    }

    @Override
    public void onRead(String region, Object key, boolean hit) {
        RefreshAhead r = refreshAhead;
        if (r != null) {
            r.onRead(region, key, hit);
        }
    }

    /** Called by the registry listener: bindings are worked out again after any region or source change. */
    void onRegistryChange(String registryKey) {
        if (registryKey.startsWith(RegionService.KIND + "/") || registryKey.startsWith(SourceRegistry.KIND + "/")) {
            bound.clear();
        }
    }

    /** This node's read-through counters of a source, or {@code null} when it has read nothing. */
    ReadCounters readCounters(String source) {
        return readCounters.get(source.toLowerCase(Locale.ROOT));
    }

    @Override
    public Object load(String regionName, Object key) {
        Region r = regions.get(regionName);
        if (r.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND) {
            // a write on its way to the source is newer than what the source holds (the entry expired or was evicted
            // before its write was flushed): answer with it rather than with the source's older row
            Optional<WriteBehindQueue.Pending> p = queue.pendingIfQueued(r, key);
            if (p.isPresent()) {
                return p.get().value();
            }
        }
        return readThrough(r, key);
    }

    @Override
    public Map<Object, Object> loadAll(String regionName, Collection<?> keys) {
        Region r = regions.get(regionName);
        Map<Object, WriteBehindQueue.Pending> pending = r.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND
                ? queue.pendingIfQueued(r, keys) : Map.of();
        Map<Object, Object> out = new HashMap<>();
        List<Object> unread = new ArrayList<>(keys.size());
        for (Object key : keys) {
            WriteBehindQueue.Pending p = pending.get(key);
            if (p == null) {
                unread.add(key);
            } else if (p.value() != null) { // as load: the pending write answers (a pending delete: a miss)
                out.put(key, p.value());
            }
        }
        out.putAll(readThroughAll(r, unread));
        return out;
    }

    @Override
    public Runnable write(String regionName, Map<Object, Object> upserts, Collection<?> removals) {
        return writeThrough(regions.get(regionName), upserts, removals);
    }

    private Optional<Bound> boundTo(Region region) {
        String key = region.name().toLowerCase(Locale.ROOT);
        Optional<Bound> b = bound.get(key);
        if (b == null) { // computed outside the map: binding asks the source, and the registry listener clears the map
            b = sources.primaryFor(region.name()).map(s -> bind(s, region));
            bound.put(key, b);
        }
        return b;
    }

    /**
     * The region's binding for a read or write. Binding asks the source for its table's shape; when that fails at call
     * time (the source is down), it is an outage to retry, never a refusal of the data.
     */
    private Optional<Bound> boundForCall(Region region) {
        try {
            return boundTo(region);
        } catch (InvalidSpecException e) {
            throw new UnavailableException("the source of region '" + region.name() + "' cannot be bound now: " + e.getMessage(), null);
        }
    }

    private Bound bind(SourceSpec s, Region region) {
        Plan p = sources.planner().planRegistered(s, sources.connectors().connector(s)).get(region.name());
        return new Bound(s, s.binding(region.name()), p);
    }

    /** The source key (source column to value, in the source's types) of a region key. */
    private static Map<String, Object> sourceKey(Region region, Plan plan, Object key) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String col : region.spec().keyFields()) {
            Object v = region.spec().simpleKey() ? key : ((BinaryObject) key).field(col);
            String src = plan.columnMap().get(col);
            out.put(src, ColumnValues.coerce(col, plan.table().columns().get(src), v));
        }
        return out;
    }

    /**
     * Read-through: the value of a region key from the region's source, or {@code null} when the source has no such
     * row or the region has no source.
     */
    public Object readThrough(Region region, Object key) {
        Optional<Bound> b = boundForCall(region);
        if (b.isEmpty()) {
            return null;
        }
        Answer<Optional<Map<String, Object>>> a = withFallback(region, b.get(), bound -> readWithTimeout(bound, region, key));
        return a.value().isEmpty() ? null : applier.valueOf(region, a.by().plan(), a.value().get());
    }

    /** What a source answered, and which source it was (the primary, or its fallback). */
    private record Answer<T>(Bound by, T value) {
    }

    /** A read from the region's source; when it fails or times out, from the source's fallback, if it has one. */
    private <T> Answer<T> withFallback(Region region, Bound primary, Function<Bound, T> read) {
        try {
            return new Answer<>(primary, read.apply(primary));
        } catch (UnavailableException e) {
            SourceSpec fb = primary.spec().fallbackSource() == null ? null : sources.find(primary.spec().fallbackSource());
            if (fb == null) {
                throw e;
            }
            Bound fallback = bind(fb, region);
            counter(primary.spec().sourceName()).fallbacks.incrementAndGet();
            LOG.debug("Read-through of {} fell back to {}: {}", region.name(), fb.sourceName(), e.getMessage());
            return new Answer<>(fallback, read.apply(fallback));
        }
    }

    /**
     * Read-through of many keys in one request to the source ({@link Connector#readAll}); a failure or timeout goes to
     * the fallback as {@link #readThrough} does. The rows come back in any order and are matched to the keys by their
     * key columns, converted as the keys were.
     */
    Map<Object, Object> readThroughAll(Region region, List<Object> keys) {
        Optional<Bound> b = keys.isEmpty() ? Optional.empty() : boundForCall(region);
        if (b.isEmpty()) {
            return Map.of();
        }
        Answer<List<Map<String, Object>>> a = withFallback(region, b.get(), bound -> readAllWithTimeout(bound, region, keys));
        Bound answered = a.by();
        List<Map<String, Object>> rows = a.value();
        Map<List<Object>, Object> byKeyValues = new HashMap<>();
        for (Object key : keys) {
            byKeyValues.put(comparable(sourceKey(region, answered.plan(), key).values()), key);
        }
        Map<Object, Object> out = new HashMap<>();
        for (Map<String, Object> row : rows) {
            Object key = byKeyValues.get(comparable(keyValues(region, answered.plan(), row)));
            if (key != null) {
                out.put(key, applier.valueOf(region, answered.plan(), row));
            }
        }
        return out;
    }

    /** The key columns of a source row, converted as {@link #sourceKey(Region, Plan, Object)} converts a region key's. */
    private static Collection<Object> keyValues(Region region, Plan plan, Map<String, Object> row) {
        List<Object> out = new ArrayList<>();
        for (String col : region.spec().keyFields()) {
            String src = plan.columnMap().get(col);
            out.add(ColumnValues.coerce(col, plan.table().columns().get(src), row.get(src)));
        }
        return out;
    }

    /** Key values that compare equal when the numbers do (a NUMERIC key read back as 1.00 matches the key 1). */
    private static List<Object> comparable(Collection<Object> values) {
        List<Object> out = new ArrayList<>(values.size());
        for (Object v : values) {
            out.add(v instanceof BigDecimal d ? d.stripTrailingZeros() : v);
        }
        return out;
    }

    private List<Map<String, Object>> readAllWithTimeout(Bound b, Region region, List<Object> keys) {
        Connector c = sources.connectors().connector(b.spec());
        List<Map<String, Object>> sourceKeys = new ArrayList<>(keys.size());
        for (Object key : keys) {
            sourceKeys.add(sourceKey(region, b.plan(), key));
        }
        counter(b.spec().sourceName()).reads.addAndGet(keys.size());
        return timed(b, () -> c.readAll(b.binding(), sourceKeys));
    }

    private ReadCounters counter(String source) {
        return readCounters.computeIfAbsent(source.toLowerCase(Locale.ROOT), k -> new ReadCounters());
    }

    /** One source read, bounded by the source's {@code read_timeout_ms}; a timeout is an {@link UnavailableException}. */
    private Optional<Map<String, Object>> readWithTimeout(Bound b, Region region, Object key) {
        Connector c = sources.connectors().connector(b.spec());
        Map<String, Object> sourceKey = sourceKey(region, b.plan(), key);
        counter(b.spec().sourceName()).reads.incrementAndGet();
        return timed(b, () -> c.read(b.binding(), sourceKey));
    }

    /** A call to a source, bounded by its {@code read_timeout_ms} when it has one. */
    private <T> T timed(Bound b, Supplier<T> read) {
        Long timeout = b.spec().readTimeoutMs();
        if (timeout == null) {
            return read.get();
        }
        Future<T> f = readers.submit(read::get);
        try {
            return f.get(timeout, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            counter(b.spec().sourceName()).timeouts.incrementAndGet();
            throw new UnavailableException("source '" + b.spec().sourceName() + "' did not answer within " + timeout + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new UnavailableException("source '" + b.spec().sourceName() + "' failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while reading from source '" + b.spec().sourceName() + "'");
        }
    }

    /**
     * Write-through: applies region writes and removals to the region's source in one source transaction. Throws
     * {@link io.dih.spi.SourceRejectedException} or {@link UnavailableException}; the caller's cache update then fails.
     *
     * @return what to run once the region has the writes too ({@link #NOTHING} when nothing): for a CDC source, noting
     *         where in the source's log the writes are, so their echoes never undo a newer write
     */
    public Runnable writeThrough(Region region, Map<Object, Object> upserts, Collection<?> removals) {
        Optional<Bound> b = boundForCall(region);
        if (b.isEmpty()) {
            return NOTHING;
        }
        Plan plan = b.get().plan();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<Object, Object> e : upserts.entrySet()) {
            Map<String, Object> row = sourceKey(region, plan, e.getKey());
            if (e.getValue() instanceof BinaryObject bo) {
                for (String col : region.valueColumns().keySet()) {
                    String src = plan.columnMap().get(col);
                    if (src != null && bo.hasField(col)) {
                        row.put(src, ColumnValues.coerce(col, plan.table().columns().get(src), bo.field(col)));
                    }
                }
            }
            rows.add(row);
        }
        List<Map<String, Object>> deletes = new ArrayList<>();
        for (Object k : removals) {
            deletes.add(sourceKey(region, plan, k));
        }
        long at = sources.connectors().connector(b.get().spec()).writeAt(b.get().binding(), rows, deletes);
        if (at < 0 || b.get().spec().syncMode() != SyncMode.CDC) {
            return NOTHING;
        }
        // the feed will bring these changes back: they must not undo a newer write made meanwhile
        List<Object> keys = new ArrayList<>(upserts.keySet());
        keys.addAll(removals);
        String source = b.get().spec().sourceName();
        return () -> positions.recordHubWrite(source, region, keys, at);
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }
}
