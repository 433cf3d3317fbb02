package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import io.dih.api.CacheStrategy;
import io.dih.api.RegionSpec;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.spi.NotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ModifiedExpiryPolicy;
import org.apache.ignite.Ignite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refresh-ahead: entries of a REFRESH_AHEAD region that were read within their lifetime are reloaded from the source
 * in the background once they are {@code refresh_ahead_factor} of the way to expiry, with a fresh lifetime, so a hot
 * key never misses; a key nobody reads is left to expire. Reads are seen by a cache interceptor on whichever node
 * serves them; each node refreshes the keys it saw, at most {@code max_per_second} starts per second and
 * {@code max_concurrency} at once.
 */
public final class RefreshAhead implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RefreshAhead.class);
    /** Keys tracked per region and node; reads of further keys are not refreshed until some go cold. */
    static final int MAX_TRACKED = 100_000;
    private static final long TICK_MS = 100;

    private final Ignite ignite;
    private final RegionService regions;
    private final SourceAccess sources;
    private final SyncSettings.RefreshAhead settings;
    private final Map<String, Map<Object, Tracked>> tracked = new ConcurrentHashMap<>();
    private final Map<String, Counters> counters = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("dih-refresh-ahead"));
    private final ExecutorService workers;
    private final Semaphore running;
    private long budgetSecond;
    private int budgetUsed;

    RefreshAhead(Ignite ignite, RegionService regions, SourceAccess sources, SyncSettings.RefreshAhead settings) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.workers = Executors.newFixedThreadPool(settings.maxConcurrency(), daemon("dih-refresh"));
        this.running = new Semaphore(settings.maxConcurrency());
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** What this node knows of one key: when it was last read and refreshed. */
    private static final class Tracked {
        volatile long lastReadAt;
        /** When this node last refreshed the key; 0: not yet (its age is unknown, so it is refreshed soon). */
        volatile long refreshedAt;
        /** When this node first saw the key read. */
        volatile long firstSeenAt;
        /**
         * When the entry would expire without refreshes (then a read would have missed and reloaded it, starting a
         * new lifetime); 0 until the key's first refresh.
         */
        volatile long naturalExpiresAt;
        volatile long ttl;
        volatile boolean inFlight;
    }

    /** Refresh-ahead counters of one region on this node. */
    public static final class Counters {
        final AtomicLong refreshes = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicLong missesAvoided = new AtomicLong();
        final AtomicLong deferred = new AtomicLong();

        public long refreshes() {
            return refreshes.get();
        }

        public long failures() {
            return failures.get();
        }

        /** Reads that found an entry which, without a refresh, would have expired by then. */
        public long missesAvoided() {
            return missesAvoided.get();
        }

        /** Refreshes put off to a later round by the rate or concurrency bound. */
        public long deferred() {
            return deferred.get();
        }
    }

    public Counters counters(String region) {
        return counters.computeIfAbsent(region.toLowerCase(Locale.ROOT), k -> new Counters());
    }

    /** Every region's counters on this node. */
    public Map<String, Counters> allCounters() {
        return Map.copyOf(counters);
    }

    void start() {
        ticker.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** Called by the region's cache interceptor for every key-value read this node serves. */
    void onRead(String region, Object key, boolean hit) {
        if (key == null) {
            return;
        }
        String name = region.toLowerCase(Locale.ROOT);
        Map<Object, Tracked> keys = tracked.computeIfAbsent(name, k -> new ConcurrentHashMap<>());
        long now = System.currentTimeMillis();
        Tracked t = keys.get(key);
        if (t == null) {
            if (!hit || keys.size() >= MAX_TRACKED) {
                return; // a miss loads the entry fresh (read-through): its lifetime starts now
            }
            t = keys.computeIfAbsent(key, k -> {
                Tracked fresh = new Tracked();
                fresh.firstSeenAt = now;
                return fresh;
            });
        }
        t.lastReadAt = now;
        if (hit && t.naturalExpiresAt > 0 && now >= t.naturalExpiresAt) {
            t.naturalExpiresAt = now + t.ttl; // without refresh-ahead this read had missed and reloaded the entry
            counters(name).missesAvoided.incrementAndGet();
        }
    }

    private void tick() {
        try {
            long now = System.currentTimeMillis();
            for (Map.Entry<String, Map<Object, Tracked>> e : tracked.entrySet()) {
                Region r;
                try {
                    r = regions.get(e.getKey());
                } catch (NotFoundException gone) {
                    tracked.remove(e.getKey());
                    continue;
                }
                RegionSpec spec = r.spec();
                if (spec.cacheStrategy() != CacheStrategy.REFRESH_AHEAD || spec.expiryPolicy() == null) {
                    tracked.remove(e.getKey());
                    continue;
                }
                long ttl = spec.expiryPolicy().creationSeconds() * 1000;
                double factor = spec.refreshAheadFactor() != null ? spec.refreshAheadFactor() : RegionSpec.DEFAULT_REFRESH_AHEAD_FACTOR;
                long refreshAfter = (long) (ttl * factor);
                List<Map.Entry<Object, Tracked>> due = new ArrayList<>();
                for (Map.Entry<Object, Tracked> k : e.getValue().entrySet()) {
                    Tracked t = k.getValue();
                    if (now - t.lastReadAt > ttl && !t.inFlight) {
                        e.getValue().remove(k.getKey(), t); // cold: not read for a whole lifetime, let it expire
                    } else if (!t.inFlight && (t.refreshedAt == 0 || now - t.refreshedAt >= refreshAfter)) {
                        due.add(k);
                    }
                }
                due.sort((a, b) -> Long.compare(a.getValue().refreshedAt, b.getValue().refreshedAt));
                for (Map.Entry<Object, Tracked> k : due) {
                    if (!acquire(now)) {
                        counters(e.getKey()).deferred.incrementAndGet();
                        continue;
                    }
                    Tracked t = k.getValue();
                    t.inFlight = true;
                    workers.execute(() -> refresh(r, k.getKey(), t, ttl));
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Refresh-ahead round failed: {}", e.getMessage());
        }
    }

    /** A refresh may start: within this second's budget and the concurrency bound. */
    private boolean acquire(long now) {
        long second = now / 1000;
        if (second != budgetSecond) {
            budgetSecond = second;
            budgetUsed = 0;
        }
        if (budgetUsed >= settings.maxPerSecond() || !running.tryAcquire()) {
            return false;
        }
        budgetUsed++;
        return true;
    }

    private void refresh(Region r, Object key, Tracked t, long ttl) {
        Counters c = counters(r.name());
        try {
            Object fresh = sources.readThrough(r, key);
            long now = System.currentTimeMillis();
            if (fresh == null) {
                r.cache().withSkipStore().remove(key); // the source no longer has the row
            } else {
                r.cache().withSkipStore().withExpiryPolicy(new ModifiedExpiryPolicy(new Duration(TimeUnit.MILLISECONDS, ttl)))
                        .put(key, fresh);
            }
            t.ttl = ttl;
            if (t.naturalExpiresAt == 0) {
                t.naturalExpiresAt = t.firstSeenAt + ttl;
            }
            t.refreshedAt = now;
            c.refreshes.incrementAndGet();
        } catch (RuntimeException e) {
            c.failures.incrementAndGet();
            t.refreshedAt = System.currentTimeMillis() - Math.max(0, ttl / 2); // try again in a while, not every tick
            LOG.debug("Refresh-ahead of a key of {} failed: {}", r.name(), e.getMessage());
        } finally {
            t.inFlight = false;
            running.release();
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        workers.shutdownNow();
    }
}
