package io.dih.server.region;

import java.util.Collection;
import java.util.Map;

/**
 * Read- and write-through for a region's cache store ({@link HubCacheStore}) and the reads refresh-ahead watches
 * ({@link ReadInterceptor}), done by the node's data path and found
 * in the node-local map under {@link #NODE_LOCAL_KEY} (a cache store is made by Ignite, not by the hub).
 */
public interface RegionStore {
    String NODE_LOCAL_KEY = "dih.region-store";

    /** What to run after a write-through that needs nothing afterwards. */
    Runnable NOTHING = () -> { };

    /** The value of a key from the region's source (or its pending write), or {@code null}. */
    Object load(String region, Object key);

    /** {@link #load} of many keys with as few source requests as the source allows: the keys that have a value. */
    Map<Object, Object> loadAll(String region, Collection<?> keys);

    /**
     * Applies writes and removals to the region's source in one source transaction; throws
     * {@link io.dih.spi.SourceRejectedException} or {@link io.dih.spi.UnavailableException}.
     *
     * @return what to run once the region has the writes too ({@link #NOTHING} when nothing)
     */
    Runnable write(String region, Map<Object, Object> upserts, Collection<?> removals);

    /** A key of a REFRESH_AHEAD region was read ({@code hit}: it was in the cache); must not block. */
    void onRead(String region, Object key, boolean hit);
}
