package io.dih.server.region;

import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheMetrics;
import org.apache.ignite.internal.IgniteEx;
import org.apache.ignite.internal.processors.metric.impl.MetricUtils;
import org.apache.ignite.spi.metric.LongMetric;
import org.apache.ignite.spi.metric.Metric;
import org.apache.ignite.spi.metric.ReadOnlyMetricRegistry;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;

/** Runs on each server node and reads that node's counters for one region. */
final class LocalStatsJob implements IgniteCallable<LocalStatsJob.Snapshot> {
    private static final long serialVersionUID = 1L;

    private final String cacheName;

    @IgniteInstanceResource
    private transient Ignite ignite;

    LocalStatsJob(String cacheName) {
        this.cacheName = cacheName;
    }

    @Override
    public Snapshot call() {
        String node = String.valueOf(ignite.cluster().localNode().consistentId());
        IgniteCache<Object, Object> cache = ignite.cache(cacheName);
        if (cache == null) {
            return new Snapshot(node, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        CacheMetrics m = cache.localMetrics();
        long hits = m.getCacheHits();
        long misses = m.getCacheMisses();
        return new Snapshot(node,
                cache.localSizeLong(CachePeekMode.PRIMARY),
                cache.localSizeLong(CachePeekMode.BACKUP),
                m.getCacheGets(), m.getCachePuts(), m.getCacheRemovals(), hits, misses,
                m.getCacheEvictions(),
                m.getAverageGetTime(), m.getAveragePutTime(), allocatedBytes());
    }

    /**
     * Off-heap pages this node allocated for the region (its own cache group). CacheMetrics' off-heap counter stays 0
     * in Ignite 2.17; the cache group's TotalAllocatedSize metric is what Ignite itself reports.
     */
    private long allocatedBytes() {
        ReadOnlyMetricRegistry reg = ((IgniteEx) ignite).context().metric().registry(MetricUtils.metricName("cacheGroups", cacheName));
        Metric total = reg == null ? null : reg.findMetric("TotalAllocatedSize");
        return total instanceof LongMetric l ? l.value() : 0;
    }

    /**
     * One node's counters on the wire. A plain class, not a record: Ignite's marshaller cannot rebuild records on
     * Java 17.
     */
    static final class Snapshot implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final String node;
        final long size;
        final long backupSize;
        final long gets;
        final long puts;
        final long removals;
        final long hits;
        final long misses;
        final long evictions;
        final double avgGetMicros;
        final double avgPutMicros;
        final long offHeapBytes;

        Snapshot(String node, long size, long backupSize, long gets, long puts, long removals, long hits, long misses,
                 long evictions, double avgGetMicros, double avgPutMicros, long offHeapBytes) {
            this.node = node;
            this.size = size;
            this.backupSize = backupSize;
            this.gets = gets;
            this.puts = puts;
            this.removals = removals;
            this.hits = hits;
            this.misses = misses;
            this.evictions = evictions;
            this.avgGetMicros = avgGetMicros;
            this.avgPutMicros = avgPutMicros;
            this.offHeapBytes = offHeapBytes;
        }

        RegionStats.Counters toCounters() {
            return new RegionStats.Counters(node, size, backupSize, gets, puts, removals, hits, misses,
                    hits + misses == 0 ? 0 : (double) hits / (hits + misses), evictions, avgGetMicros, avgPutMicros, offHeapBytes);
        }
    }
}
