package io.dih.server.region;

import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheMetrics;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;

/** Runs on each server node and reads that node's counters for one region. */
final class LocalStatsJob implements IgniteCallable<RegionStats.Counters> {
    private static final long serialVersionUID = 1L;

    private final String cacheName;

    @IgniteInstanceResource
    private transient Ignite ignite;

    LocalStatsJob(String cacheName) {
        this.cacheName = cacheName;
    }

    @Override
    public RegionStats.Counters call() {
        String node = String.valueOf(ignite.cluster().localNode().consistentId());
        IgniteCache<Object, Object> cache = ignite.cache(cacheName);
        if (cache == null) {
            return new RegionStats.Counters(node, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        CacheMetrics m = cache.localMetrics();
        long hits = m.getCacheHits();
        long misses = m.getCacheMisses();
        return new RegionStats.Counters(node,
                cache.localSizeLong(CachePeekMode.PRIMARY),
                cache.localSizeLong(CachePeekMode.BACKUP),
                m.getCacheGets(), m.getCachePuts(), m.getCacheRemovals(), hits, misses,
                hits + misses == 0 ? 0 : (double) hits / (hits + misses),
                m.getCacheEvictions(),
                m.getAverageGetTime(), m.getAveragePutTime(), m.getOffHeapAllocatedSize());
    }
}
