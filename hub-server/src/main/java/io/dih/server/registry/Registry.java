package io.dih.server.registry;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.cache.query.ContinuousQuery;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.lang.IgniteBiPredicate;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;

/**
 * The control plane: every registered object (region, later source, endpoint, tenant) as canonical JSON in a
 * REPLICATED TRANSACTIONAL system cache, so every node's gateway sees every change. Keys are
 * {@code kind/name} with the name in lower case: SQL names ignore case, so {@code Orders} and {@code orders}
 * are the same object.
 */
public final class Registry implements AutoCloseable {
    public static final String CACHE = "dih_registry";

    private final Ignite ignite;
    private final IgniteCache<String, String> cache;
    private QueryCursor<?> listener;

    public Registry(Ignite ignite) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.cache = ignite.getOrCreateCache(cacheConfiguration());
    }

    /** Started with every node (static configuration), so the registry exists before any request. */
    public static CacheConfiguration<String, String> cacheConfiguration() {
        return new CacheConfiguration<String, String>(CACHE)
                .setCacheMode(CacheMode.REPLICATED)
                .setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
    }

    public static String key(String kind, String name) {
        return kind + "/" + name.toLowerCase(Locale.ROOT);
    }

    public String get(String kind, String name) {
        return cache.get(key(kind, name));
    }

    /**
     * Stores {@code json} under the name unless something is there already.
     *
     * @return {@code null} when stored, else the JSON already registered under that name
     */
    public String putIfAbsent(String kind, String name, String json) {
        try (Transaction tx = ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ)) {
            String k = key(kind, name);
            String existing = cache.get(k);
            if (existing == null) {
                cache.put(k, json);
            }
            tx.commit();
            return existing;
        }
    }

    /** Replaces the object only if it still holds {@code expected}; false when it changed or is gone. */
    public boolean replace(String kind, String name, String expected, String json) {
        return cache.replace(key(kind, name), expected, json);
    }

    /** Removes the object only if it still holds {@code expected}; false when it changed or is gone. */
    public boolean remove(String kind, String name, String expected) {
        return cache.remove(key(kind, name), expected);
    }

    /** Every object of a kind, by lower-case name, in name order. */
    public Map<String, String> list(String kind) {
        Map<String, String> out = new TreeMap<>();
        try (QueryCursor<Cache.Entry<String, String>> cur = cache.query(new ScanQuery<>(new KindFilter(kind + "/")))) {
            for (Cache.Entry<String, String> e : cur) {
                out.put(e.getKey().substring(kind.length() + 1), e.getValue());
            }
        }
        return out;
    }

    /**
     * Calls {@code onChange(key, newJsonOrNull)} on this node for every change made on any node. One listener per
     * registry; called on an Ignite thread, so it must be quick.
     */
    public synchronized void listen(BiConsumer<String, String> onChange) {
        if (listener != null) {
            throw new IllegalStateException("a registry listener is already installed");
        }
        ContinuousQuery<String, String> q = new ContinuousQuery<>();
        q.setLocalListener(events -> {
            for (CacheEntryEvent<? extends String, ? extends String> e : events) {
                onChange.accept(e.getKey(), e.getEventType() == javax.cache.event.EventType.REMOVED ? null : e.getValue());
            }
        });
        listener = cache.query(q);
    }

    @Override
    public synchronized void close() {
        if (listener != null) {
            listener.close();
            listener = null;
        }
    }

    /** Scan filter; a named class because remote filters must be on every server's classpath. */
    private static final class KindFilter implements IgniteBiPredicate<String, String> {
        private static final long serialVersionUID = 1L;
        private final String prefix;

        KindFilter(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public boolean apply(String key, String value) {
            return key.startsWith(prefix);
        }
    }
}
