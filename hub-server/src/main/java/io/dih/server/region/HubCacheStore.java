package io.dih.server.region;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriterException;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.store.CacheStoreAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * The cache store of every region with a {@code cache_strategy}: it reads through to, and writes through to, the
 * source bound to the region at the time of the call (none bound: misses stay misses, writes stay in the hub). The
 * work is done by the node's {@link RegionStore}, found in the node-local map. On WRITE_BEHIND regions the hub's
 * own writes skip the store (they are queued durably instead), and a miss on a key with a pending write is answered
 * from the queue.
 */
public final class HubCacheStore extends CacheStoreAdapter<Object, Object> {
    private final String region;

    @IgniteInstanceResource
    private Ignite ignite;

    /** The transaction's store session, when there is one: what to do once the writes commit waits in it. */
    @org.apache.ignite.resources.CacheStoreSessionResource
    private org.apache.ignite.cache.store.CacheStoreSession session;

    private static final String AFTER_COMMIT = "dih.after-commit";

    HubCacheStore(String region) {
        this.region = region;
    }

    /** The factory in a region's cache configuration. A plain class: Ignite ships it to every node. */
    static final class StoreFactory implements Factory<HubCacheStore>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String region;

        StoreFactory(String region) {
            this.region = region;
        }

        @Override
        public HubCacheStore create() {
            return new HubCacheStore(region);
        }
    }

    private RegionStore store() {
        Object s = ignite == null ? null : ignite.cluster().nodeLocalMap().get(RegionStore.NODE_LOCAL_KEY);
        return s instanceof RegionStore rs ? rs : null;
    }

    @Override
    public Object load(Object key) {
        RegionStore s = store();
        if (s == null) {
            return null; // the node is still starting: a miss
        }
        try {
            return s.load(region, key);
        } catch (RuntimeException e) {
            throw new CacheLoaderException("read-through of region '" + region + "' failed: " + e.getMessage(), portable(e));
        }
    }

    /** A batch get's misses on this node: read from the source together (one request for a JDBC source). */
    @Override
    public Map<Object, Object> loadAll(Iterable<?> keys) {
        List<Object> all = new ArrayList<>();
        keys.forEach(all::add);
        RegionStore s = store();
        if (s == null || all.isEmpty()) {
            return Map.of();
        }
        try {
            return s.loadAll(region, all);
        } catch (RuntimeException e) {
            throw new CacheLoaderException("read-through of region '" + region + "' failed: " + e.getMessage(), portable(e));
        }
    }

    @Override
    public void write(Cache.Entry<?, ?> entry) {
        writeAll(List.of(entry));
    }

    @Override
    public void writeAll(Collection<Cache.Entry<?, ?>> entries) {
        RegionStore s = requireStore();
        Map<Object, Object> rows = new LinkedHashMap<>();
        for (Cache.Entry<?, ?> e : entries) {
            rows.put(e.getKey(), e.getValue());
        }
        try {
            afterCommit(s.write(region, rows, List.of()));
        } catch (RuntimeException e) {
            throw new CacheWriterException(e.getMessage(), portable(e));
        }
    }

    @Override
    public void delete(Object key) {
        deleteAll(new ArrayList<>(List.of(key)));
    }

    @Override
    public void deleteAll(Collection<?> keys) {
        RegionStore s = requireStore();
        try {
            afterCommit(s.write(region, Map.of(), keys));
        } catch (RuntimeException e) {
            throw new CacheWriterException(e.getMessage(), portable(e));
        }
    }

    /** Runs {@code r} once the cache update commits: at the end of the store session, or now without one. */
    @SuppressWarnings("unchecked")
    private void afterCommit(Runnable r) {
        if (r == RegionStore.NOTHING) {
            return;
        }
        if (session == null || !session.isWithinTransaction()) {
            r.run();
            return;
        }
        ((List<Runnable>) session.properties().computeIfAbsent(AFTER_COMMIT, k -> new ArrayList<Runnable>())).add(r);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void sessionEnd(boolean commit) {
        List<Runnable> after = session == null ? null : (List<Runnable>) session.properties().remove(AFTER_COMMIT);
        if (commit && after != null) {
            after.forEach(Runnable::run);
        }
    }

    /**
     * The failure as it may travel to the node that asked: the hub's own exception type (the gateway maps it to a
     * status) with its message only. A cause chain can hold objects Ignite cannot marshal (records), and a reply that
     * cannot be marshalled never arrives: the caller would wait for ever.
     */
    static RuntimeException portable(RuntimeException e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof io.dih.spi.SourceRejectedException) {
                return new io.dih.spi.SourceRejectedException(c.getMessage(), null);
            }
            if (c instanceof io.dih.spi.UnavailableException) {
                return new io.dih.spi.UnavailableException(c.getMessage(), null);
            }
        }
        return new io.dih.spi.UnavailableException(e.getMessage() == null ? e.toString() : e.getMessage(), null);
    }

    private RegionStore requireStore() {
        RegionStore s = store();
        if (s == null) {
            throw new CacheWriterException("the hub node is still starting; region '" + region + "' cannot write to its source yet");
        }
        return s;
    }
}
