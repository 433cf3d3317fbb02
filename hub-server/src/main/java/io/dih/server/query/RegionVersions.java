package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.configuration.CacheConfiguration;

/**
 * Cluster-wide versions of the regions cached endpoints read, changed by the hub's own write calls (REST entries,
 * transactions, SQL DML over REST, loads) <em>before they answer</em>. The versions live in a replicated cache
 * written with {@code FULL_SYNC}: once a write call has answered, every node holds the new version, and a cached
 * answer taken before it is no longer fresh anywhere. This closes the window of {@link RegionGenerations}, whose
 * continuous-query events arrive a few milliseconds after the commit; those still catch the writes that bypass the
 * hub's calls (thin client, JDBC, CDC, expiry).
 *
 * <p>A version is a random number, not a counter: a write needs one put and no read. Only regions some cached
 * endpoint reads are versioned ({@link #bump} is told which), so other writes pay nothing.
 */
final class RegionVersions {
    static final String CACHE = "dih_region_versions";

    private final IgniteCache<String, Long> cache;

    /** @param dataRegion the Ignite data region to keep the versions in (one that never evicts) */
    RegionVersions(Ignite ignite, String dataRegion) {
        CacheConfiguration<String, Long> cc = new CacheConfiguration<String, Long>(CACHE)
                .setCacheMode(CacheMode.REPLICATED)
                .setAtomicityMode(CacheAtomicityMode.ATOMIC)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
        if (dataRegion != null) {
            cc.setDataRegionName(dataRegion);
        }
        this.cache = requireNonNull(ignite, "ignite is null").getOrCreateCache(cc);
    }

    /** The regions' versions as this node holds them now (no network: the cache is replicated). */
    List<Long> snapshot(Collection<String> regions) {
        List<Long> out = new ArrayList<>(regions.size());
        for (String r : regions) {
            out.add(cache.localPeek(r.toLowerCase(Locale.ROOT), CachePeekMode.PRIMARY, CachePeekMode.BACKUP));
        }
        return out;
    }

    /** Whether no region changed version since {@code snapshot} was taken of the same regions. */
    boolean unchanged(Collection<String> regions, List<Long> snapshot) {
        return snapshot(regions).equals(snapshot);
    }

    /** Gives the regions new versions on every node; returns once every node has them. */
    void bump(Collection<String> regions) {
        if (regions.isEmpty()) {
            return;
        }
        Map<String, Long> next = new TreeMap<>();
        for (String r : regions) {
            next.put(r.toLowerCase(Locale.ROOT), ThreadLocalRandom.current().nextLong());
        }
        cache.putAll(next);
    }
}
