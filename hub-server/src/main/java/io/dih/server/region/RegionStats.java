package io.dih.server.region;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A region's counters, per server node and summed over the cluster. */
public record RegionStats(
        @JsonProperty("region") String region,
        @JsonProperty("total") Counters total,
        @JsonProperty("nodes") List<Counters> nodes) {

    /**
     * One node's (or the cluster's) counters. Sizes count primary copies, so the total is the number of entries;
     * averages are in microseconds.
     */
    public record Counters(
            @JsonProperty("node") String node,
            @JsonProperty("size") long size,
            @JsonProperty("backup_size") long backupSize,
            @JsonProperty("gets") long gets,
            @JsonProperty("puts") long puts,
            @JsonProperty("removals") long removals,
            @JsonProperty("hits") long hits,
            @JsonProperty("misses") long misses,
            @JsonProperty("hit_ratio") double hitRatio,
            @JsonProperty("evictions") long evictions,
            @JsonProperty("avg_get_micros") double avgGetMicros,
            @JsonProperty("avg_put_micros") double avgPutMicros,
            @JsonProperty("off_heap_bytes") long offHeapBytes) {

        static Counters sum(List<Counters> nodes) {
            long size = 0, backup = 0, gets = 0, puts = 0, removals = 0, hits = 0, misses = 0, evictions = 0, offHeap = 0;
            double getTime = 0, putTime = 0;
            for (Counters c : nodes) {
                size += c.size;
                backup += c.backupSize;
                gets += c.gets;
                puts += c.puts;
                removals += c.removals;
                hits += c.hits;
                misses += c.misses;
                evictions += c.evictions;
                offHeap += c.offHeapBytes;
                getTime += c.avgGetMicros * c.gets;
                putTime += c.avgPutMicros * c.puts;
            }
            return new Counters("cluster", size, backup, gets, puts, removals, hits, misses,
                    hits + misses == 0 ? 0 : (double) hits / (hits + misses), evictions,
                    gets == 0 ? 0 : getTime / gets, puts == 0 ? 0 : putTime / puts, offHeap);
        }
    }
}
