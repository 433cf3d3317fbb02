package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import io.dih.api.CacheMode;
import io.dih.server.region.KeyOrder;
import io.dih.server.region.Region;
import io.dih.server.region.WriteQueue;
import io.dih.spi.CapacityExceededException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.ignite.DataRegionMetrics;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheEntryProcessor;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.cache.PartitionLossPolicy;
import org.apache.ignite.cache.QueryEntity;
import org.apache.ignite.cache.QueryIndex;
import org.apache.ignite.cache.QueryIndexType;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;

/**
 * The durable queue of writes a WRITE_BEHIND region owes its source. Each region has its own queue cache,
 * {@code dih_wb_<region>}: TRANSACTIONAL, with at least one backup, keyed by the region's own keys (so a key's pending
 * write lives in the same partition, on the same nodes, as the entry). A write to the region and its pending record
 * commit in one Ignite transaction, so an acknowledged write survives the loss of any one node; the record holds the
 * latest value (or a delete) of its key, so writes coalesce per key and a retry never sends an older value after a
 * newer one. The queue is an SQL table too ({@code SELECT * FROM dih_wb.<region>}), ordered by the age of its oldest
 * write.
 */
public final class WriteBehindQueue implements WriteQueue {
    /** The data region (no page eviction) of the queues, dead letters and source positions; see IgniteConfigFactory. */
    public static final String DATA_REGION = "dih-sync";

    /** The binary type of a pending write. */
    static final String PENDING_TYPE = "dih.sync.PendingWrite";
    /** The SQL schema of the queue tables. */
    public static final String SQL_SCHEMA = "DIH_WB";
    /** Writes are refused once the sync data region is this full on the writing node. */
    static final double FULL = 0.9;

    private final Ignite ignite;
    /** Queue caches by the region's key type, which is new for every incarnation of a region name. */
    private final Map<String, IgniteCache<Object, BinaryObject>> queues = new ConcurrentHashMap<>();

    public WriteBehindQueue(Ignite ignite) {
        this.ignite = requireNonNull(ignite, "ignite is null");
    }

    /**
     * A pending write: the key, its latest value ({@code null}: delete), the version the flusher acknowledges, and the
     * id of the dead letter it was retried from ({@code null} for a write of a client): refused again, it keeps that id.
     */
    public record Pending(Object key, BinaryObject value, long version, long enqueuedAt, long firstEnqueuedAt, String deadLetterId) {
        public boolean delete() {
            return value == null;
        }

        static Pending of(Object key, BinaryObject rec) {
            String op = rec.field("op");
            return new Pending(key, "DELETE".equals(op) ? null : detached(rec.field("value")), rec.<Long>field("version"),
                    rec.<Long>field("enqueued_at"), rec.<Long>field("first_enqueued_at"), rec.<String>field(DEAD_LETTER_ID));
        }
    }

    /** The field of a pending write retried from a dead letter that holds the dead letter's id. */
    private static final String DEAD_LETTER_ID = "dead_letter_id";

    /**
     * A binary object read from a field of another is a view into its parent's bytes; stored or sent on as it is, it
     * loses its fields on the way. A copy of its own is safe.
     */
    @SuppressWarnings("unchecked")
    static <T> T detached(Object fieldValue) {
        if (fieldValue instanceof BinaryObject bo) {
            return (T) bo.toBuilder().build();
        }
        return (T) fieldValue;
    }

    public static String cacheName(String region) {
        return "dih_wb_" + region.toLowerCase(Locale.ROOT);
    }

    /** The region's queue cache, created with the region (binary values: a pending write has no Java class). */
    public IgniteCache<Object, BinaryObject> queue(Region r) {
        return queues.computeIfAbsent(r.keyType(), k -> ignite.getOrCreateCache(configuration(r)).withKeepBinary());
    }

    CacheConfiguration<Object, Object> configuration(Region r) {
        CacheConfiguration<Object, Object> cc = new CacheConfiguration<>(cacheName(r.name()));
        cc.setCacheMode(r.spec().cacheMode() == CacheMode.REPLICATED
                ? org.apache.ignite.cache.CacheMode.REPLICATED : org.apache.ignite.cache.CacheMode.PARTITIONED);
        cc.setBackups(Math.max(1, r.spec().backups()));
        cc.setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL);
        cc.setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
        cc.setPartitionLossPolicy(PartitionLossPolicy.READ_WRITE_SAFE);
        cc.setSqlSchema(SQL_SCHEMA);
        if (syncDataRegion(ignite) != null) {
            cc.setDataRegionName(DATA_REGION);
        }
        QueryEntity qe = new QueryEntity();
        qe.setTableName(r.name());
        qe.setValueType(PENDING_TYPE);
        LinkedHashMap<String, String> fields = new LinkedHashMap<>();
        for (String k : r.spec().keyFields()) {
            fields.put(k, r.columns().get(k).javaType());
        }
        fields.put("op", String.class.getName());
        fields.put("version", Long.class.getName());
        fields.put("enqueued_at", Long.class.getName());
        fields.put("first_enqueued_at", Long.class.getName());
        qe.setFields(fields);
        if (r.spec().simpleKey()) {
            String key = r.spec().keyFields().get(0);
            qe.setKeyType(r.columns().get(key).javaType());
            qe.setKeyFieldName(key);
        } else {
            qe.setKeyType(r.keyType());
            qe.setKeyFields(new LinkedHashSet<>(r.spec().keyFields()));
        }
        QueryIndex byAge = new QueryIndex("first_enqueued_at", QueryIndexType.SORTED);
        byAge.setName(r.name().toLowerCase(Locale.ROOT) + "_wb_age_idx");
        qe.setIndexes(List.of(byAge));
        cc.setQueryEntities(List.of(qe));
        return cc;
    }

    /** The data region for pending writes, or {@code null} when the node's (Spring) configuration has none. */
    public static DataRegionConfiguration syncDataRegion(Ignite ignite) {
        DataStorageConfiguration ds = ignite.configuration().getDataStorageConfiguration();
        if (ds == null || ds.getDataRegionConfigurations() == null) {
            return null;
        }
        for (DataRegionConfiguration d : ds.getDataRegionConfigurations()) {
            if (DATA_REGION.equals(d.getName())) {
                return d;
            }
        }
        return null;
    }

    /**
     * Records the write of {@code value} ({@code null}: a delete) to {@code key}, replacing any pending write of the
     * key. Call it inside the transaction that writes the region.
     */
    @Override
    public void enqueue(Region r, Object key, BinaryObject value) {
        requireRoom(r);
        IgniteCache<Object, BinaryObject> q = queue(r);
        long now = System.currentTimeMillis();
        BinaryObject prev = q.get(key);
        long first = prev == null ? now : prev.<Long>field("first_enqueued_at");
        q.put(key, record(value, now, first, null));
    }

    /**
     * Queues a dead letter's write again, marked with its id (so if the source refuses it again it comes back as the
     * same dead letter). Call it inside the transaction that removes the dead letter.
     */
    void requeue(Region r, Object key, BinaryObject value, String deadLetterId) {
        requireNonNull(deadLetterId, "deadLetterId is null");
        requireRoom(r);
        long now = System.currentTimeMillis();
        queue(r).put(key, record(value, now, now, deadLetterId));
    }

    /** {@link #enqueue} for many keys at once (a batch write). */
    @Override
    public void enqueueAll(Region r, Map<Object, BinaryObject> values) {
        requireRoom(r);
        IgniteCache<Object, BinaryObject> q = queue(r);
        long now = System.currentTimeMillis();
        Map<Object, BinaryObject> prev = q.getAll(KeyOrder.sortedSet(values.keySet()));
        Map<Object, BinaryObject> records = new java.util.TreeMap<>(KeyOrder.INSTANCE);
        values.forEach((k, v) -> {
            BinaryObject p = prev.get(k);
            records.put(k, record(v, now, p == null ? now : p.<Long>field("first_enqueued_at"), null));
        });
        q.putAll(records);
    }

    BinaryObject record(BinaryObject value, long enqueuedAt, long firstEnqueuedAt, String deadLetterId) {
        BinaryObjectBuilder b = ignite.binary().builder(PENDING_TYPE);
        if (deadLetterId != null) {
            b.setField(DEAD_LETTER_ID, deadLetterId, String.class);
        }
        b.setField("op", value == null ? "DELETE" : "PUT", String.class);
        if (value != null) {
            b.setField("value", value, Object.class);
        }
        b.setField("version", ThreadLocalRandom.current().nextLong(), Long.class);
        b.setField("enqueued_at", enqueuedAt, Long.class);
        b.setField("first_enqueued_at", firstEnqueuedAt, Long.class);
        return b.build();
    }

    /** When the fill of the sync data region was last read, and whether it was full then (read at most every 100 ms). */
    private volatile long roomCheckedAt;
    private volatile String fullMessage;
    private final java.util.concurrent.atomic.AtomicBoolean checkingRoom = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Refuses a write when the memory that holds pending writes is nearly full (nothing is ever evicted from it). The
     * fill is read in the background, at most every 100 ms: reading the metrics is too slow for every write.
     */
    private void requireRoom(Region r) {
        long now = System.currentTimeMillis();
        if (now - roomCheckedAt >= 100 && checkingRoom.compareAndSet(false, true)) {
            ForkJoinPool.commonPool().execute(() -> {
                try {
                    fullMessage = fullness();
                } catch (RuntimeException e) {
                    fullMessage = null;
                } finally {
                    roomCheckedAt = System.currentTimeMillis();
                    checkingRoom.set(false);
                }
            });
        }
        String full = fullMessage;
        if (full != null) {
            throw new CapacityExceededException(full + "; region '" + r.name() + "' takes no writes until its source catches up "
                    + "(raise storage.sync_region_max_mb, or bring the source back)");
        }
    }

    /** What is wrong when the sync data region is nearly full, else {@code null}. */
    private String fullness() {
        DataRegionConfiguration cfg = syncDataRegion(ignite);
        if (cfg == null || cfg.isPersistenceEnabled()) {
            return null; // with persistence, pages spill to disk: the memory never fills up
        }
        DataRegionMetrics m = ignite.dataRegionMetrics(DATA_REGION);
        if (m == null) {
            return null;
        }
        long max = cfg.getMaxSize();
        if (max > 0 && m.getTotalUsedSize() > max * FULL) {
            return "the memory for pending write-behind writes is " + Math.round(100.0 * m.getTotalUsedSize() / max) + "% full on this node";
        }
        return null;
    }

    /** The pending write of a key, if any. */
    public Optional<Pending> pending(Region r, Object key) {
        BinaryObject rec = queue(r).get(key);
        return rec == null ? Optional.empty() : Optional.of(Pending.of(key, rec));
    }

    /**
     * Whether a key has a pending write, for a caller inside a pessimistic transaction that may then leave the key
     * alone: the record is locked and, when there is one, written back unchanged (the same version, so the flusher's
     * acknowledgement still matches). A transaction then never holds only a read on a node: Ignite rolls back a fully
     * prepared transaction whose coordinator died when one of its primaries held nothing but reads (IGNITE-12956), on
     * backups whose primaries had already committed and shown it.
     */
    public boolean pendingInTransaction(Region r, Object key) {
        IgniteCache<Object, BinaryObject> q = queue(r);
        BinaryObject rec = q.get(key);
        if (rec == null) {
            return false;
        }
        q.put(key, rec);
        return true;
    }

    /** Makes this node's handle of a region's queue; on a thread of the hub's own, never on one of Ignite's. */
    void prepare(Region r) {
        queue(r);
    }

    /**
     * The pending write of a key, without ever creating the queue (for callers on Ignite's own threads, such as a
     * cache store, where starting a cache could deadlock): no queue, no pending write.
     */
    public Optional<Pending> pendingIfQueued(Region r, Object key) {
        IgniteCache<Object, BinaryObject> q = queues.get(r.keyType());
        if (q == null) {
            return Optional.empty(); // not prepared on this node yet (SyncEngine prepares every queue within 200 ms)
        }
        BinaryObject rec = q.get(key);
        return rec == null ? Optional.empty() : Optional.of(Pending.of(key, rec));
    }

    /** {@link #pendingIfQueued(Region, Object)} of many keys with one read of the queue: the keys that have one. */
    public Map<Object, Pending> pendingIfQueued(Region r, Collection<?> keys) {
        IgniteCache<Object, BinaryObject> q = queues.get(r.keyType());
        if (q == null || keys.isEmpty()) {
            return Map.of();
        }
        Map<Object, Pending> out = new HashMap<>();
        q.getAll(new HashSet<>(keys)).forEach((key, rec) -> out.put(key, Pending.of(key, rec)));
        return out;
    }

    /** Up to {@code limit} pending writes, oldest first. */
    public List<Pending> oldest(Region r, int limit) {
        List<Pending> out = new ArrayList<>();
        SqlFieldsQuery q = new SqlFieldsQuery("SELECT _key, _val FROM " + r.name() + " ORDER BY first_enqueued_at LIMIT ?")
                .setSchema(SQL_SCHEMA).setArgs(limit);
        for (List<?> row : queue(r).query(q).getAll()) {
            out.add(Pending.of(row.get(0), (BinaryObject) row.get(1)));
        }
        return out;
    }

    /** How many writes are pending, and when the oldest of them was made (0: none). */
    public record Depth(long pending, long oldestMillis) {
        public long oldestAgeMillis(long now) {
            return pending == 0 ? 0 : Math.max(0, now - oldestMillis);
        }
    }

    public Depth depth(Region r) {
        SqlFieldsQuery q = new SqlFieldsQuery("SELECT COUNT(*), MIN(first_enqueued_at) FROM " + r.name()).setSchema(SQL_SCHEMA);
        List<?> row = queue(r).query(q).getAll().get(0);
        long n = ((Number) row.get(0)).longValue();
        return new Depth(n, n == 0 || row.get(1) == null ? 0 : ((Number) row.get(1)).longValue());
    }

    /**
     * Removes the flushed writes whose keys were not written again meanwhile (a newer write stays queued). Inside the
     * caller's transaction if there is one; else in small chunks, each atomic per key, so writers of the same keys
     * never wait long behind the flusher.
     */
    public void acknowledge(Region r, List<Pending> flushed) {
        if (flushed.isEmpty()) {
            return;
        }
        IgniteCache<Object, BinaryObject> q = queue(r);
        java.util.TreeMap<Object, Acknowledge> byKey = new java.util.TreeMap<>(KeyOrder.INSTANCE);
        flushed.forEach(p -> byKey.put(p.key(), new Acknowledge(p.version())));
        if (ignite.transactions().tx() != null) {
            q.invokeAll(byKey);
            return;
        }
        java.util.TreeMap<Object, Acknowledge> chunk = new java.util.TreeMap<>(KeyOrder.INSTANCE);
        for (Map.Entry<Object, Acknowledge> e : byKey.entrySet()) {
            chunk.put(e.getKey(), e.getValue());
            if (chunk.size() == ACK_CHUNK) {
                q.invokeAll(chunk);
                chunk.clear();
            }
        }
        if (!chunk.isEmpty()) {
            q.invokeAll(chunk);
        }
    }

    /** How many acknowledgements are applied together (and lock their keys together). */
    private static final int ACK_CHUNK = 32;

    /** Removes a pending write if it is still the version that was flushed. Runs where the entry lives. */
    static final class Acknowledge implements CacheEntryProcessor<Object, BinaryObject, Boolean> {
        private static final long serialVersionUID = 1L;
        private final long version;

        Acknowledge(long version) {
            this.version = version;
        }

        @Override
        public Boolean process(javax.cache.processor.MutableEntry<Object, BinaryObject> entry, Object... args) {
            BinaryObject rec = entry.getValue();
            if (rec != null && Long.valueOf(version).equals(rec.<Long>field("version"))) {
                entry.remove();
                return true;
            }
            return false;
        }
    }

    /** Drops a region's queue with the region. */
    public void destroy(String region) {
        ignite.destroyCache(cacheName(region));
        queues.clear();
    }
}
