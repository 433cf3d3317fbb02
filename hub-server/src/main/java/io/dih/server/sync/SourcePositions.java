package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import io.dih.server.region.EntryCodec;
import io.dih.server.region.Region;
import io.dih.spi.ChangeEvent;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import javax.cache.Cache;
import javax.cache.processor.MutableEntry;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheEntryProcessor;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.configuration.CacheConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source position of the last change applied to each key of a region fed by a change feed or a stream
 * ({@code dih_cdc_positions}: partitioned, one backup, transactional): a change delivered again, or late, is dropped
 * instead of overwriting a newer one.
 */
public final class SourcePositions implements AutoCloseable {
    static final String CACHE = "dih_cdc_positions";
    private static final Logger LOG = LoggerFactory.getLogger(SourcePositions.class);

    private final IgniteCache<String, long[]> cache;
    /** Records hub writes' positions off the writing thread (a cache store's thread must not call caches). */
    private final ExecutorService hubWrites = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dih-cdc-hub-writes");
        t.setDaemon(true);
        return t;
    });

    SourcePositions(Ignite ignite) {
        CacheConfiguration<String, long[]> cc = new CacheConfiguration<String, long[]>(CACHE)
                .setBackups(1)
                .setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
        if (WriteBehindQueue.syncDataRegion(ignite) != null) {
            cc.setDataRegionName(WriteBehindQueue.DATA_REGION);
        }
        this.cache = requireNonNull(ignite, "ignite is null").getOrCreateCache(cc);
    }

    public IgniteCache<String, long[]> cache() {
        return cache;
    }

    /**
     * "No position": what a key whose change could not be applied (a dead letter) keeps, so the transaction that read
     * it also wrote it; the next change of the key applies as if there were none.
     */
    static final long[] NONE = new long[0];

    /** Stream names to their ids (a few per source: its partitions). */
    private static final Map<String, Long> STREAM_IDS = new ConcurrentHashMap<>();

    /**
     * What is kept of a change's position: {position, sequence, stream id}; the stream id is 0 for a source with one
     * log (a database), else a 64-bit hash of its stream (a topic partition).
     */
    static long[] of(ChangeEvent e) {
        return e.stream() == null ? new long[] {e.position(), e.sequence()} : new long[] {e.position(), e.sequence(), streamId(e.stream())};
    }

    private static long streamId(String stream) {
        return STREAM_IDS.computeIfAbsent(stream, s -> {
            long id = UUID.nameUUIDFromBytes(s.getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
            return id == 0 ? 1 : id;
        });
    }

    /**
     * Whether a change comes after the position kept for its key. Positions of different streams (a key that moved to
     * another partition) are not comparable: the change that arrives later wins.
     */
    static boolean isAfter(ChangeEvent e, long[] last) {
        if (last.length == 0) {
            return true;
        }
        long lastStream = last.length > 2 ? last[2] : 0;
        long stream = e.stream() == null ? 0 : streamId(e.stream());
        return stream != lastStream || e.isAfter(last[0], last[1]);
    }

    /**
     * The key under which the last position applied from one partition of an in-order stream is kept (for every key of
     * the region it feeds). Source names never start with '#', so it never meets a per-key entry.
     */
    public static String partitionKey(String source, String region, String stream) {
        return "#" + source.toLowerCase(Locale.ROOT) + "/" + region.toLowerCase(Locale.ROOT) + "/" + stream;
    }

    /** The key under which a region key's last position from a source is kept. */
    public static String key(String source, String region, String keyText) {
        return source.toLowerCase(Locale.ROOT) + "/" + region.toLowerCase(Locale.ROOT) + "/" + keyText;
    }

    /**
     * The hub wrote these keys of a region through to a source with a change feed, at log position {@code at} or
     * before: each key's position is raised to it, so the feed drops the write's own changes (and any older ones) when
     * they come back instead of letting an older write's echo overwrite a newer write. Done asynchronously, within
     * milliseconds; changes the database makes later have higher positions and apply as usual.
     */
    public void recordHubWrite(String source, Region region, Collection<?> keys, long at) {
        Set<String> posKeys = new TreeSet<>();
        for (Object k : keys) {
            posKeys.add(key(source, region.name(), EntryCodec.keyText(region, k)));
        }
        try {
            hubWrites.execute(() -> {
                try {
                    cache.invokeAll(posKeys, new RaisePosition(at));
                } catch (RuntimeException e) {
                    LOG.debug("Recording hub writes to {} at {} failed: {}", source, at, e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            // the node is stopping
        }
    }

    /** Forgets every position from a source (it was deleted: one registered later under its name starts afresh). */
    void forget(String source) {
        String prefix = source.toLowerCase(Locale.ROOT) + "/";
        String partitions = "#" + prefix;
        Set<String> batch = new TreeSet<>();
        try (QueryCursor<Cache.Entry<String, long[]>> cursor = cache.query(new ScanQuery<String, long[]>((k, v) -> k.startsWith(prefix) || k.startsWith(partitions)))) {
            for (Cache.Entry<String, long[]> e : cursor) {
                batch.add(e.getKey());
                if (batch.size() == 1000) {
                    cache.removeAll(batch);
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty()) {
            cache.removeAll(batch);
        }
    }

    /** Raises a key's position to a hub write's position (never lowers it). A plain class: Ignite ships it. */
    static final class RaisePosition implements CacheEntryProcessor<String, long[], Void> {
        private static final long serialVersionUID = 1L;
        private final long at;

        RaisePosition(long at) {
            this.at = at;
        }

        @Override
        public Void process(MutableEntry<String, long[]> entry, Object... args) {
            long[] cur = entry.getValue();
            if (cur == null || cur.length == 0 || Long.compareUnsigned(cur[0], at) < 0) {
                entry.setValue(new long[] {at, 0});
            }
            return null;
        }
    }

    @Override
    public void close() {
        hubWrites.shutdown();
    }
}
