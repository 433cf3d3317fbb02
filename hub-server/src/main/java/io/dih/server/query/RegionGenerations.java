package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.query.ContinuousQuery;
import org.apache.ignite.cache.query.QueryCursor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's view of when each watched region last changed. A region is watched through a continuous query with a
 * local listener (expiry included): every create, update, remove or expiry of any of its entries, made on any node by
 * any path that goes through the cache (REST, SQL DML, thin client, CDC, read-through, write-behind), bumps the
 * region's generation here. Loads, whose streamer may bypass continuous queries, bump it through {@link #bump}.
 *
 * <p>Generations are stamps of one node-wide clock, so an answer is fresh when it was computed at a stamp no older
 * than the generations of all its regions ({@link #fresh}); a region that is not watched is never fresh.
 */
public final class RegionGenerations implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegionGenerations.class);

    private final Function<String, IgniteCache<Object, Object>> caches;
    private final AtomicLong clock = new AtomicLong();
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();

    private static final class Watch {
        final AtomicLong generation = new AtomicLong();
        volatile QueryCursor<?> cursor;
    }

    /** @param caches the binary cache of a region by name (throws when the region is gone) */
    public RegionGenerations(Function<String, IgniteCache<Object, Object>> caches) {
        this.caches = requireNonNull(caches, "caches is null");
    }

    /** The clock now: the stamp an answer computed from here on is taken at. */
    public long now() {
        return clock.get();
    }

    /** Starts watching the regions not watched yet; returns once their listeners are registered cluster-wide. */
    public synchronized void watch(Collection<String> regions) {
        for (String region : regions) {
            String key = region.toLowerCase(Locale.ROOT);
            if (watches.containsKey(key)) {
                continue;
            }
            Watch w = new Watch();
            w.generation.accumulateAndGet(clock.incrementAndGet(), Math::max);
            ContinuousQuery<Object, Object> q = new ContinuousQuery<>();
            q.setIncludeExpired(true);
            q.setLocalListener(events -> {
                if (events.iterator().hasNext()) {
                    w.generation.accumulateAndGet(clock.incrementAndGet(), Math::max); // max: listeners may run concurrently
                }
            });
            w.cursor = caches.apply(region).query(q);
            watches.put(key, w);
            LOG.debug("Watching region {} for endpoint answers", region);
        }
    }

    /** Stops watching every region not in {@code keep}. */
    public synchronized void retain(Collection<String> keep) {
        Set<String> wanted = new HashSet<>();
        keep.forEach(r -> wanted.add(r.toLowerCase(Locale.ROOT)));
        for (String region : Set.copyOf(watches.keySet())) {
            if (!wanted.contains(region)) {
                Watch w = watches.remove(region);
                close(region, w);
            }
        }
    }

    /** Marks a region changed (a load finished on some node). */
    public void bump(String region) {
        Watch w = watches.get(region.toLowerCase(Locale.ROOT));
        if (w != null) {
            w.generation.accumulateAndGet(clock.incrementAndGet(), Math::max);
        }
    }

    /** Whether the region is watched. */
    public boolean watching(String region) {
        return watches.containsKey(region.toLowerCase(Locale.ROOT));
    }

    /** Whether every region is watched: only then can an answer over them be cached. */
    public boolean watched(Collection<String> regions) {
        for (String r : regions) {
            if (!watches.containsKey(r.toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    /** Whether an answer computed at {@code stamp} still holds: every region watched and unchanged since. */
    public boolean fresh(Collection<String> regions, long stamp) {
        for (String r : regions) {
            Watch w = watches.get(r.toLowerCase(Locale.ROOT));
            if (w == null || w.generation.get() > stamp) {
                return false;
            }
        }
        return true;
    }

    /** The regions watched now, lower-case. */
    public Set<String> regions() {
        return Set.copyOf(watches.keySet());
    }

    private static void close(String region, Watch w) {
        try {
            if (w != null && w.cursor != null) {
                w.cursor.close();
            }
        } catch (RuntimeException e) {
            LOG.debug("Closing the watch of region {} failed: {}", region, e.toString());
        }
    }

    @Override
    public synchronized void close() {
        watches.forEach(RegionGenerations::close);
        watches.clear();
    }
}
