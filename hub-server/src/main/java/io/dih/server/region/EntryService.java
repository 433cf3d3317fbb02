package io.dih.server.region;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.AtomicityMode;
import io.dih.spi.CapacityExceededException;
import io.dih.spi.ConflictException;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.NotFoundException;
import io.dih.spi.UnavailableException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import javax.cache.CacheException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectException;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.internal.mem.IgniteOutOfMemoryException;
import org.apache.ignite.internal.processors.cache.CacheInvalidStateException;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;

/** Reads and writes a region's entries as JSON rows. */
public final class EntryService {
    /** The most keys one batch call may carry. */
    public static final int MAX_BATCH = 1000;

    private final Ignite ignite;
    private final RegionService regions;
    private final RegionWrites writes;

    public EntryService(Ignite ignite, RegionService regions, RegionWrites writes) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.writes = requireNonNull(writes, "writes is null");
    }

    /**
     * The write-behind engine when writes to {@code r} are to be queued (see {@link RegionWrites#queueing}). Those
     * writes skip the cache store and are recorded in the region's queue in the same transaction instead.
     */
    private WriteQueue queueing(Region r) {
        return writes.queueing(r);
    }

    /** Whether the region's source promises SESSION consistency (its writes then hand out session tokens). */
    public boolean sessionConsistent(String regionName) {
        return writes.sessionConsistent(regions.get(regionName));
    }

    private Transaction txStart() {
        return ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ);
    }

    public ObjectNode get(String regionName, String keyText) {
        Region r = regions.get(regionName);
        Object key = EntryCodec.key(r, ignite.binary(), keyText);
        Object value = guard(r, () -> r.cache().get(key));
        if (value == null) {
            throw new NotFoundException("no entry with key '" + keyText + "' in region '" + r.name() + "'");
        }
        return EntryCodec.toJson(r, key, value);
    }

    /** The row as stored, and whether the key was new. */
    public record Put(ObjectNode row, boolean created) {
    }

    /** Stores (replaces) one entry. */
    public Put put(String regionName, String keyText, JsonNode body) {
        Region r = regions.get(regionName);
        Object key = EntryCodec.key(r, ignite.binary(), keyText);
        BinaryObject value = EntryCodec.value(r, ignite.binary(), key, body, "");
        WriteQueue wb = queueing(r);
        boolean created = written(r, () -> guard(r, () -> {
            checkCapacity(r, Set.of(key));
            if (wb != null) {
                // READ_COMMITTED: the reads take no locks, the writes do (the entry and its pending record)
                try (Transaction tx = ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.READ_COMMITTED)) {
                    boolean fresh = r.cache().withSkipStore().getAndPut(key, value) == null;
                    wb.enqueue(r, key, value);
                    tx.commit();
                    return fresh;
                }
            }
            // "is it new?" asks the cache only: with read-through on, a plain get would also ask the source
            boolean fresh = !r.cache().withSkipStore().containsKey(key);
            r.cache().put(key, value);
            return fresh;
        }));
        return new Put(EntryCodec.toJson(r, key, value), created);
    }

    /** How often a PATCH of an ATOMIC region reads and tries again when the entry changed under it. */
    private static final int MERGE_ATTEMPTS = 100;

    /**
     * Merges columns into one existing entry and returns the merged row: the body's columns replace theirs (a JSON
     * null sets the column to null), every other column keeps its value. The whole row is what reaches the cache
     * store and the write-behind queue, so a source never sees the columns the body left out as nulls. On a
     * TRANSACTIONAL region the read and the write are one pessimistic transaction (the key is locked from the read
     * on; a row only in the source is read through just before it). On an ATOMIC region the write is a
     * compare-and-replace against the value read, tried again while another write gets in between. A key in neither
     * the region nor (read-through) its source is a {@link NotFoundException}.
     */
    public ObjectNode patch(String regionName, String keyText, JsonNode body) {
        Region r = regions.get(regionName);
        Object key = EntryCodec.key(r, ignite.binary(), keyText);
        Map<String, Object> changes = EntryCodec.columnValues(r, key, body, "");
        BinaryObject merged;
        if (r.spec().atomicityMode() == AtomicityMode.TRANSACTIONAL) {
            WriteQueue wb = queueing(r);
            merged = written(r, () -> guard(r, () -> patchInTransaction(r, key, changes, wb)));
        } else {
            merged = written(r, () -> guard(r, () -> patchByReplace(r, key, changes)));
        }
        if (merged == null) {
            throw new NotFoundException("no entry with key '" + keyText + "' in region '" + r.name() + "'");
        }
        return EntryCodec.toJson(r, key, merged);
    }

    private BinaryObject patchInTransaction(Region r, Object key, Map<String, Object> changes, WriteQueue wb) {
        for (int attempt = 0; attempt < MERGE_ATTEMPTS; attempt++) {
            // a row only in the source (or only in the write-behind queue) is read through first, outside the
            // transaction: the cache store must not be called inside it (its queue lookup would join the transaction)
            if (r.cache().get(key) == null) {
                return null;
            }
            try (Transaction tx = txStart()) {
                Object current = r.cache().withSkipStore().get(key); // locks the key until the commit
                if (current == null) {
                    continue; // expired or removed since it was read through: read it again
                }
                BinaryObject merged = EntryCodec.merge(r, ignite.binary(), current, changes);
                RegionWrites.write(r, wb, key, merged); // write-through of the merged row when the transaction commits
                tx.commit();
                return merged;
            }
        }
        throw new ConflictException("entry '" + EntryCodec.keyText(r, key) + "' of region '" + r.name() + "' kept disappearing while "
                + "it was merged (" + MERGE_ATTEMPTS + " attempts); try again");
    }

    /**
     * ATOMIC regions have no transactions (Ignite 2.16+ forbids atomic operations inside one), so the merge is
     * optimistic: replace only if the entry still holds the value read, else read again. (No ATOMIC region queues
     * writes: WRITE_BEHIND needs TRANSACTIONAL, which the spec checks.)
     */
    private BinaryObject patchByReplace(Region r, Object key, Map<String, Object> changes) {
        for (int attempt = 0; attempt < MERGE_ATTEMPTS; attempt++) {
            Object current = r.cache().get(key);
            if (current == null) {
                return null;
            }
            BinaryObject merged = EntryCodec.merge(r, ignite.binary(), current, changes);
            if (r.cache().replace(key, current, merged)) {
                return merged;
            }
        }
        throw new ConflictException("entry '" + EntryCodec.keyText(r, key) + "' of region '" + r.name() + "' kept changing while "
                + "it was merged (" + MERGE_ATTEMPTS + " attempts); try again");
    }

    public void delete(String regionName, String keyText) {
        Region r = regions.get(regionName);
        Object key = EntryCodec.key(r, ignite.binary(), keyText);
        WriteQueue wb = queueing(r);
        boolean removed;
        if (wb != null) {
            // the row may be in the source only (the entry expired): a read-through get sees it (or its pending write)
            removed = guard(r, () -> r.cache().get(key) != null);
            if (removed) {
                written(r, () -> guard(r, () -> {
                    try (Transaction tx = txStart()) {
                        RegionWrites.write(r, wb, key, null);
                        tx.commit();
                        return null;
                    }
                }));
            }
        } else {
            removed = written(r, () -> guard(r, () -> r.cache().remove(key)));
        }
        if (!removed) {
            throw new NotFoundException("no entry with key '" + keyText + "' in region '" + r.name() + "'");
        }
    }

    /** The entries found for the keys, by key as written, and the keys not found. */
    public record BatchGet(Map<String, ObjectNode> entries, List<String> missing) {
    }

    public BatchGet getAll(String regionName, List<String> keyTexts) {
        checkBatch("keys", keyTexts == null ? 0 : keyTexts.size());
        Region r = regions.get(regionName);
        Map<Object, String> keys = new LinkedHashMap<>();
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < keyTexts.size(); i++) {
            try {
                keys.put(EntryCodec.key(r, ignite.binary(), keyTexts.get(i)), keyTexts.get(i));
            } catch (InvalidSpecException e) {
                errors.add(new FieldError("keys[" + i + "]", e.errors().get(0).message()));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        Map<Object, Object> found = guard(r, () -> r.cache().getAll(KeyOrder.sortedSet(keys.keySet())));
        Map<String, ObjectNode> entries = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        keys.forEach((k, text) -> {
            Object v = found.get(k);
            if (v == null) {
                missing.add(text);
            } else {
                entries.put(text, EntryCodec.toJson(r, k, v));
            }
        });
        return new BatchGet(entries, missing);
    }

    /**
     * Stores many entries, all or none: every value is checked before anything is written, and on a
     * TRANSACTIONAL region the writes commit in one transaction.
     *
     * @return how many keys were new
     */
    public int putAll(String regionName, Map<String, JsonNode> rows) {
        checkBatch("entries", rows == null ? 0 : rows.size());
        Region r = regions.get(regionName);
        Map<Object, BinaryObject> batch = new java.util.TreeMap<>(KeyOrder.INSTANCE); // one lock order for every batch
        List<FieldError> errors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : rows.entrySet()) {
            try {
                Object key = EntryCodec.key(r, ignite.binary(), e.getKey());
                batch.put(key, EntryCodec.value(r, ignite.binary(), key, e.getValue(), "entries." + e.getKey()));
            } catch (InvalidSpecException ex) {
                for (FieldError fe : ex.errors()) {
                    errors.add(fe.field().startsWith("entries.") ? fe : new FieldError("entries." + e.getKey(), fe.message()));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        WriteQueue wb = queueing(r);
        return written(r, () -> guard(r, () -> {
            checkCapacity(r, batch.keySet());
            if (r.spec().atomicityMode() == AtomicityMode.TRANSACTIONAL) {
                try (Transaction tx = txStart()) {
                    int fresh = batch.size() - r.cache().withSkipStore().getAll(KeyOrder.sortedSet(batch.keySet())).size();
                    if (wb != null) {
                        r.cache().withSkipStore().putAll(batch);
                        wb.enqueueAll(r, batch);
                    } else {
                        r.cache().putAll(batch);
                    }
                    tx.commit();
                    return fresh;
                }
            }
            int fresh = batch.size() - r.cache().withSkipStore().getAll(KeyOrder.sortedSet(batch.keySet())).size();
            r.cache().putAll(batch);
            return fresh;
        }));
    }

    /** Runs a write of {@code r}, then (whatever its outcome) tells the listeners of written regions, before answering. */
    private <T> T written(Region r, Supplier<T> write) {
        try {
            return write.get();
        } finally {
            writes.written(List.of(r.name())); // never throws
        }
    }

    private static void checkBatch(String field, int size) {
        if (size == 0) {
            throw new InvalidSpecException(field, "must not be empty");
        }
        if (size > MAX_BATCH) {
            throw new InvalidSpecException(field, "holds " + size + " items; at most " + MAX_BATCH + " per call");
        }
    }

    /**
     * Refuses writes that would take a region past its {@code eviction_max_size}. Overwrites of existing keys are
     * always allowed. The count is exact (a cluster-wide size), so it costs a round trip only on bounded regions.
     */
    public static void checkCapacity(Region r, Set<?> keys) {
        Long max = r.spec().evictionMaxSize();
        if (max == null) {
            return;
        }
        IgniteCache<Object, Object> cache = r.cache();
        long size = cache.sizeLong(CachePeekMode.PRIMARY);
        if (size + keys.size() <= max) {
            return;
        }
        long fresh = keys.size() - cache.withSkipStore().getAll(KeyOrder.sortedSet(keys)).size();
        if (size + fresh > max) {
            throw new CapacityExceededException("region '" + r.name() + "' holds " + size + " of at most " + max
                    + " entries (eviction_max_size); " + fresh + " new entries do not fit");
        }
    }

    /** Runs a cache operation, translating Ignite's failures into the hub's typed errors. */
    public static <T> T guard(Region r, Supplier<T> op) {
        try {
            return op.get();
        } catch (CacheException | IllegalStateException | org.apache.ignite.IgniteException e) {
            throw translate(r, e);
        }
    }

    /** Ignite's failure of a cache operation on {@code r} as the hub's typed error (or {@code e} itself when none fits). */
    public static RuntimeException translate(Region r, RuntimeException e) {
        java.util.Deque<Throwable> todo = new java.util.ArrayDeque<>();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Throwable topologyChanged = null;
        Throwable rolledBack = null;
        todo.add(e);
        while (!todo.isEmpty()) {
            Throwable c = todo.poll();
            if (!seen.add(c)) {
                continue;
            }
            if (c.getCause() != null) {
                todo.add(c.getCause());
            }
            todo.addAll(java.util.Arrays.asList(c.getSuppressed()));
            if (c instanceof io.dih.spi.SourceRejectedException sre) {
                return new io.dih.spi.SourceRejectedException("region '" + r.name() + "': " + sre.getMessage(), e);
            }
            if (c instanceof UnavailableException ue) {
                return new UnavailableException("region '" + r.name() + "': " + ue.getMessage(), e);
            }
            if (c instanceof IgniteOutOfMemoryException) {
                return new CapacityExceededException("the memory that holds region '" + r.name()
                        + "' is full; the write was not stored (raise storage.data_region_max_mb or enable page eviction)", e);
            }
            if (c instanceof org.apache.ignite.cluster.ClusterTopologyException
                    || c instanceof org.apache.ignite.internal.cluster.ClusterTopologyCheckedException) {
                topologyChanged = c; // reported only when no cause says more (a refusal by the source, say)
            }
            if (c instanceof org.apache.ignite.transactions.TransactionRollbackException
                    || c instanceof org.apache.ignite.internal.transactions.IgniteTxRollbackCheckedException) {
                rolledBack = c; // the cluster rolled it back (e.g. a node left while it prepared): nothing was stored
            }
            if (c instanceof CacheInvalidStateException) {
                return new UnavailableException("region '" + r.name() + "' has lost partitions (nodes left the cluster "
                        + "with no backups left); reset them after the nodes are back [" + c.getMessage() + "]", e);
            }
            if (c instanceof BinaryObjectException) {
                return new InvalidSpecException("body", "the value does not fit region '" + r.name() + "': " + c.getMessage());
            }
        }
        if (topologyChanged != null) {
            return new UnavailableException("region '" + r.name() + "': the cluster changed while the write was made "
                    + "(a node left or joined); nothing was stored, try again", null);
        }
        if (rolledBack != null) {
            return new UnavailableException("region '" + r.name() + "': the cluster rolled the write back before it committed "
                    + "(typically a node left or joined while it prepared); nothing was stored, try again", null);
        }
        if (e instanceof IllegalStateException ise && ise.getMessage() != null && ise.getMessage().contains("stopped")) {
            return new UnavailableException("region '" + r.name() + "' is not available: " + ise.getMessage(), e);
        }
        return e;
    }
}
