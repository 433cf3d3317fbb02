package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import io.dih.api.CacheStrategy;
import io.dih.api.SourceSpec;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.KeyOrder;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.server.source.Plan;
import io.dih.server.source.SourceRegistry;
import io.dih.spi.ChangeEvent;
import io.dih.spi.ConflictException;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.cache.Cache;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteDataStreamer;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way rows from sources enter regions: loads, change feeds, streams and read-through all convert a source row
 * to a region key and value here, keep keys with a write-behind write pending, remember each key's source position
 * (a change delivered again or late never overwrites a newer one), and tell the listeners of bulk changes.
 */
public final class Applier {
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
    /** The most changes applied in one transaction. */
    private static final int BATCH = 256;
    /** A removal in {@link #applyBatch}'s per-key outcome. */
    private static final Object REMOVED = new Object();

    private final Ignite ignite;
    private final RegionService regions;
    private final SourceRegistry sources;
    private final WriteBehindQueue queue;
    private final SourcePositions positions;
    private final IngestDeadLetters deadLetters;
    private final WindowAggregator windows;
    /** Per source: table name (lower case) to target; dropped when the feed restarts or a column appears. */
    private final Map<String, Map<String, Target>> targets = new ConcurrentHashMap<>();
    private volatile Consumer<String> bulkChanges = region -> { };
    private volatile Predicate<String> journaled = region -> false;
    private volatile BiConsumer<String, String> clearedListener = (region, why) -> { };

    Applier(Ignite ignite, RegionService regions, SourceRegistry sources, WriteBehindQueue queue, SourcePositions positions,
            IngestDeadLetters deadLetters) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.queue = requireNonNull(queue, "queue is null");
        this.positions = requireNonNull(positions, "positions is null");
        this.deadLetters = requireNonNull(deadLetters, "deadLetters is null");
        this.windows = new WindowAggregator(ignite);
    }

    /** Forgets what a deleted source left in the data path's own caches (its windows' totals). */
    void forget(String source) {
        windows.forget(source);
    }

    public IngestDeadLetters deadLetters() {
        return deadLetters;
    }

    /** Where a source's table goes: its region and how columns map. */
    record Target(Region region, Plan plan, Set<String> sourceColumns) {
    }

    /** Called by the registry listener: targets are worked out again after a region changed. */
    void onRegistryChange(String registryKey) {
        if (registryKey.startsWith(RegionService.KIND + "/")) {
            targets.clear();
        }
    }

    /**
     * Installs the listener told, on the node that did it, when a region changed in bulk where continuous queries may
     * not see every row: a load (its data streamer) finished or failed, or a truncate cleared the region.
     */
    public void onBulkChange(Consumer<String> listener) {
        this.bulkChanges = requireNonNull(listener, "listener is null");
    }

    /**
     * Installs the test of whether a region has a change journal (its loads then write through the cache API, so every
     * row raises a change event), and the listener told when a region was cleared without events (a truncate).
     */
    public void journaling(Predicate<String> journaledTest, BiConsumer<String, String> cleared) {
        this.journaled = requireNonNull(journaledTest, "journaled is null");
        this.clearedListener = requireNonNull(cleared, "cleared is null");
    }

    boolean journaled(String region) {
        return journaled.test(region);
    }

    void bulkChanged(String region) {
        try {
            bulkChanges.accept(region);
        } catch (RuntimeException e) {
            LOG.warn("Telling of the bulk change of region {} failed: {}", region, e.toString());
        }
    }

    private void cleared(String region, String why) {
        try {
            clearedListener.accept(region, why);
        } catch (RuntimeException e) {
            LOG.warn("Telling of the clearing of region {} failed: {}", region, e.toString());
        }
    }

    /** The region row of a source row: each region column takes its source column's value. */
    private static Map<String, Object> regionRow(Plan plan, Map<String, Object> sourceRow) {
        Map<String, Object> out = new HashMap<>();
        plan.columnMap().forEach((regionCol, sourceCol) -> out.put(regionCol, sourceRow.get(sourceCol)));
        return out;
    }

    /** The region value of a source row (read-through). */
    Object valueOf(Region region, Plan plan, Map<String, Object> sourceRow) {
        return EntryCodec.valueOf(region, ignite.binary(), regionRow(plan, sourceRow));
    }

    /** Whether a key has a write on its way to the source (a load or change must not overwrite or remove it). */
    boolean hasPendingWrite(Region region, Object key) {
        return region.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND && queue.pending(region, key).isPresent();
    }

    /**
     * A load's way into a region: rows go through the data streamer (skipping the region's store: they come from the
     * source), keys with a pending write keep it, and a full load remembers the keys it saw so the rest can leave.
     */
    final class Load implements AutoCloseable {
        private final SourceSpec spec;
        private final Region region;
        private final Plan plan;
        private final IgniteDataStreamer<Object, Object> streamer;
        private final boolean checkPending;
        private final Set<Object> seen;
        private final Map<String, Object> row = new HashMap<>();
        private long deadLettered;

        Load(SourceSpec spec, Region region, Plan plan, boolean full) {
            this.spec = spec;
            this.region = region;
            this.plan = plan;
            boolean wasEmpty = region.cache().sizeLong() == 0;
            this.checkPending = region.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND; // one local lookup per row
            this.seen = full && !wasEmpty ? new HashSet<>() : null; // an empty region has nothing stale to remove
            this.streamer = ignite.dataStreamer(region.name());
            // Into an empty region the streamer writes partitions directly (fast); over existing entries it must go
            // through the cache API to overwrite them, which on TRANSACTIONAL regions is several times slower.
            // A journaled region needs every row as a change event, which only the cache API raises.
            streamer.allowOverwrite(!wasEmpty || journaled(region.name()));
            streamer.skipStore(true); // rows come from the source: never echo them back to it
            streamer.keepBinary(true);
        }

        /** Converts and adds one source row; a row that does not fit the region becomes a dead letter, and the load goes on. */
        void accept(Map<String, Object> sourceRow) {
            row.clear();
            plan.columnMap().forEach((regionCol, sourceCol) -> row.put(regionCol, sourceRow.get(sourceCol)));
            Object k;
            Object v;
            try {
                k = EntryCodec.keyOf(region, ignite.binary(), row);
                v = EntryCodec.valueOf(region, ignite.binary(), row);
            } catch (InvalidSpecException e) {
                deadLetters.addRow(spec.sourceName(), region.name(), sourceRow, keyText(sourceRow), "the row does not fit region '"
                        + region.name() + "': " + e.getMessage());
                if (deadLettered++ == 0) {
                    LOG.warn("A row of {} does not fit region {} [key={}]: {}; it is a dead letter (GET /data-sources/{}/dead-letters), "
                            + "the load goes on", spec.sourceName(), region.name(), keyText(sourceRow), e.getMessage(), spec.sourceName());
                }
                return;
            }
            if (!checkPending || !hasPendingWrite(region, k)) {
                streamer.addData(k, v); // a key with a pending write keeps it: the source will get it shortly
            }
            if (seen != null) {
                seen.add(k);
            }
        }

        private String keyText(Map<String, Object> sourceRow) {
            List<String> parts = new ArrayList<>();
            for (String k : region.spec().keyFields()) {
                parts.add(String.valueOf(sourceRow.get(plan.columnMap().get(k))));
            }
            return String.join(",", parts);
        }

        /** How many rows became dead letters. */
        long deadLettered() {
            return deadLettered;
        }

        /** Flushes what is streamed, then (after a full load) removes the entries the source no longer has. */
        long finish() {
            streamer.close();
            return seen == null ? 0 : removeMissing();
        }

        private long removeMissing() {
            List<Object> stale = new ArrayList<>();
            try (var cur = region.cache().query(new ScanQuery<>())) {
                for (Cache.Entry<Object, Object> e : cur) {
                    if (!seen.contains(e.getKey()) && !hasPendingWrite(region, e.getKey())) {
                        stale.add(e.getKey());
                    }
                }
            }
            for (int i = 0; i < stale.size(); i += 1000) {
                // the rows are gone from the source already: the removal must not go back to it
                region.cache().withSkipStore().removeAll(new HashSet<>(stale.subList(i, Math.min(stale.size(), i + 1000))));
            }
            return stale.size();
        }

        /** Flushes what is streamed (after {@link #finish} a no-op): a failed load leaves the rows it streamed. */
        @Override
        public void close() {
            streamer.close();
        }
    }

    Load load(SourceSpec spec, Region region, Plan plan, boolean full) {
        return new Load(spec, region, plan, full);
    }

    /** Forgets a source's targets: its feed restarts with a fresh plan. */
    void replan(String source) {
        targets.remove(source.toLowerCase(Locale.ROOT));
    }

    private Map<String, Target> targets(SourceSpec spec, boolean replan) {
        String key = spec.sourceName().toLowerCase(Locale.ROOT);
        if (replan) {
            targets.remove(key);
        }
        // computed outside the map: it may add region columns (a registry write), and the registry listener that
        // clears this map must never wait for it
        Map<String, Target> known = targets.get(key);
        if (known != null) {
            return known;
        }
        Map<String, Plan> plans = sources.planner().planRegistered(spec, sources.connectors().connector(spec));
        Map<String, Target> out = new HashMap<>();
        plans.forEach((regionName, p) -> {
            if (!p.newColumns().isEmpty()) {
                regions.addColumns(regionName, spec.sourceName(), p.newColumns()); // a column added in the database mid-stream
            }
            out.put(p.table().name().toLowerCase(Locale.ROOT), new Target(regions.get(regionName), p, new HashSet<>(p.columnMap().values())));
        });
        targets.put(key, out);
        return out;
    }

    /**
     * Applies a batch of changes of a source to its regions, in order, bypassing the regions' stores (nothing goes
     * back to the source). Each key remembers the source position of its last change, so a change delivered again
     * or late never overwrites a newer one; keys with a write-behind write pending keep it. Changes of tables no
     * binding names are ignored.
     *
     * @return how many changes were skipped as stale, and how many rows and changes each region got
     */
    public AppliedChanges apply(String sourceName, List<ChangeEvent> events) {
        SourceSpec spec = sources.spec(sourceName);
        Map<String, Target> byTable = targets(spec, false);
        for (ChangeEvent e : events) {
            Target t = byTable.get(e.table().toLowerCase(Locale.ROOT));
            if (t != null && e.row() != null && !t.plan().schemaless() && !t.sourceColumns().containsAll(e.row().keySet())) {
                byTable = targets(spec, true); // the table has a new column: the region gets it too
                break;
            }
        }
        AppliedChanges applied = new AppliedChanges();
        int i = 0;
        while (i < events.size()) {
            ChangeEvent first = events.get(i);
            if (first.kind() == ChangeEvent.Kind.TRUNCATE) {
                Target t = byTable.get(first.table().toLowerCase(Locale.ROOT));
                if (t != null) {
                    t.region().cache().withSkipStore().clear();
                    bulkChanged(t.region().name());
                    cleared(t.region().name(), "the source's table was truncated (CDC)");
                    applied.applied(t.region().name(), false);
                }
                i++;
                continue;
            }
            int end = i;
            while (end < events.size() && end - i < BATCH && events.get(end).kind() != ChangeEvent.Kind.TRUNCATE) {
                end++;
            }
            // a timeout, so a lock cycle with a concurrent writer fails (and the batch comes again) instead of hanging
            try (Transaction tx = ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ,
                    30_000, end - i)) {
                AppliedChanges batch = new AppliedChanges(); // counted once its transaction commits
                applyBatch(spec.sourceName(), events.subList(i, end), byTable, batch);
                tx.commit();
                applied.add(batch);
            }
            i = end;
        }
        return applied;
    }

    /** A change the region cannot take: kept as a dead letter (in the batch's transaction), and counted. */
    private void deadLetter(String sourceName, Region region, ChangeEvent e, String keyText, String error, AppliedChanges applied) {
        deadLetters.add(sourceName, region.name(), e, keyText, error);
        applied.deadLettered(region.name(), error);
    }

    /** A JSON message's fields must all be columns (or mapped to one) of its region. */
    private static void unknownFields(Target t, Map<String, Object> row) {
        for (String field : row.keySet()) {
            if (!t.sourceColumns().contains(field)) {
                throw new InvalidSpecException(field, "field '" + field + "' is not a column of region '" + t.region().name()
                        + "'; add the column to the region (or map the field in the binding), then retry this dead letter");
            }
        }
    }

    /**
     * Applies changes (no truncate among them) inside the caller's transaction with a few bulk cache calls: the keys'
     * last positions are read (and locked) at once, each change is checked against the newest position seen so far,
     * the last outcome per key is written with one putAll/removeAll per region, and the new positions with one putAll.
     * Keys are taken in {@link KeyOrder}, as every multi-key write of the hub takes them.
     */
    private void applyBatch(String sourceName, List<ChangeEvent> batch, Map<String, Target> byTable, AppliedChanges applied) {
        record Item(ChangeEvent event, Target target, Object key, String posKey) {
        }
        List<Item> items = new ArrayList<>(batch.size());
        TreeSet<String> posKeys = new TreeSet<>();
        Map<Target, List<ChangeEvent>> windowed = new LinkedHashMap<>();
        for (ChangeEvent e : batch) {
            Target t = byTable.get(e.table().toLowerCase(Locale.ROOT));
            if (t == null) {
                continue; // a table no binding names
            }
            Region region = t.region();
            if (e.kind() == ChangeEvent.Kind.UNREADABLE) {
                deadLetter(sourceName, region, e, null, e.error(), applied);
                continue;
            }
            if (t.plan().aggregate() != null) {
                windowed.computeIfAbsent(t, k -> new ArrayList<>()).add(e);
                continue;
            }
            Object k;
            try {
                if (t.plan().schemaless() && e.row() != null) {
                    unknownFields(t, e.row());
                }
                Map<String, Object> source = e.row() != null ? e.row() : e.key();
                Map<String, Object> keyRow = new HashMap<>();
                for (String col : region.spec().keyFields()) {
                    Object v = source.get(t.plan().columnMap().get(col));
                    keyRow.put(col, v == null && e.row() != null ? e.key().get(t.plan().columnMap().get(col)) : v);
                }
                k = EntryCodec.keyOf(region, ignite.binary(), keyRow);
            } catch (InvalidSpecException ex) {
                deadLetter(sourceName, region, e, null, ex.getMessage(), applied);
                continue;
            }
            String posKey = SourcePositions.key(sourceName, region.name(), EntryCodec.keyText(region, k));
            items.add(new Item(e, t, k, posKey));
            posKeys.add(posKey);
        }
        windowed.forEach((t, events) -> windows.fold(sourceName, t, events, applied,
                (e, keyText, error) -> deadLetter(sourceName, t.region(), e, keyText, error, applied)));
        IgniteCache<String, long[]> cache = positions.cache();
        Map<String, long[]> newest = new HashMap<>(cache.getAll(posKeys));
        Map<String, long[]> changed = new TreeMap<>();
        Map<String, Map<Object, Object>> outcome = new LinkedHashMap<>(); // region → key → value or REMOVED
        Map<String, Region> byName = new HashMap<>();
        for (Item it : items) {
            ChangeEvent e = it.event();
            long[] last = newest.get(it.posKey());
            if (last != null && !SourcePositions.isAfter(e, last)) {
                applied.skipped();
                continue;
            }
            Region region = it.target().region();
            Object value = REMOVED;
            if (e.kind() == ChangeEvent.Kind.UPSERT) {
                try {
                    value = EntryCodec.valueOf(region, ignite.binary(), regionRow(it.target().plan(), e.row()));
                } catch (InvalidSpecException ex) {
                    // its position is not recorded: the same change delivered again is the same letter, and a retry applies
                    deadLetter(sourceName, region, e, EntryCodec.keyText(region, it.key()), ex.getMessage(), applied);
                    continue;
                }
            }
            long[] position = SourcePositions.of(e);
            newest.put(it.posKey(), position);
            changed.put(it.posKey(), position);
            if (hasPendingWrite(region, it.key())) {
                Map<Object, Object> earlier = outcome.get(region.name());
                if (earlier != null) {
                    earlier.remove(it.key());
                }
                continue; // the hub's own newer write is on its way to the database
            }
            byName.putIfAbsent(region.name(), region);
            applied.applied(region.name(), e.snapshot());
            outcome.computeIfAbsent(region.name(), r -> new HashMap<>()).put(it.key(), value);
        }
        outcome.forEach((name, perKey) -> {
            Map<Object, Object> puts = new TreeMap<>(KeyOrder.INSTANCE);
            Set<Object> removes = new TreeSet<>(KeyOrder.INSTANCE);
            perKey.forEach((k, v) -> {
                if (v == REMOVED) {
                    removes.add(k);
                } else {
                    puts.put(k, v);
                }
            });
            IgniteCache<Object, Object> c = byName.get(name).cache().withSkipStore();
            if (!puts.isEmpty()) {
                c.putAll(puts);
            }
            if (!removes.isEmpty()) {
                c.removeAll(removes);
            }
        });
        if (!changed.isEmpty()) {
            cache.putAll(changed);
        }
    }

    /** What a retry of an ingest dead letter did. */
    public enum RetryState { APPLIED, SUPERSEDED }

    /**
     * Applies a dead letter's row or change again (the region may take it now: a column added, a mapping fixed) and
     * removes the letter, in one transaction. A change older than what its key has now is {@code SUPERSEDED} (the
     * letter goes). One that still does not fit keeps its letter: a {@link ConflictException} says why.
     */
    public RetryState retry(String sourceName, String id) {
        IngestDeadLetters.Stored letter = deadLetters.get(sourceName, id);
        ChangeEvent change = letter.change();
        if (change.kind() == ChangeEvent.Kind.UNREADABLE) {
            throw new ConflictException("dead letter '" + id + "' is a message the connector could not read (" + change.error()
                    + "); it cannot be applied as it is: drop it (and fix its producer)");
        }
        SourceSpec spec = sources.spec(sourceName);
        Target target = null;
        for (Target t : targets(spec, false).values()) {
            if (t.region().name().equalsIgnoreCase(letter.region())) {
                target = t;
            }
        }
        if (target == null) {
            throw new ConflictException("source '" + spec.sourceName() + "' no longer feeds region '" + letter.region() + "'; drop the letter");
        }
        try (Transaction tx = ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ, 30_000, 2)) {
            RetryState state;
            if (letter.fromLoad()) {
                state = retryRow(target, change.row());
            } else {
                AppliedChanges batch = new AppliedChanges();
                ChangeEvent again = new ChangeEvent(change.kind(), target.plan().table().name(), change.key(), change.row(), change.position(),
                        change.sequence(), change.commitMillis(), change.snapshot(), change.stream(), change.raw(), null);
                applyBatch(spec.sourceName(), List.of(again), Map.of(again.table().toLowerCase(Locale.ROOT), target), batch);
                if (batch.deadLetteredCount() > 0) {
                    throw new ConflictException("dead letter '" + id + "' still cannot be applied: " + batch.lastError());
                }
                state = batch.skippedCount() > 0 ? RetryState.SUPERSEDED : RetryState.APPLIED;
            }
            deadLetters.remove(id);
            tx.commit();
            return state;
        }
    }

    private RetryState retryRow(Target t, Map<String, Object> sourceRow) {
        Region region = t.region();
        Map<String, Object> row = regionRow(t.plan(), sourceRow);
        Object k;
        Object v;
        try {
            k = EntryCodec.keyOf(region, ignite.binary(), row);
            v = EntryCodec.valueOf(region, ignite.binary(), row);
        } catch (InvalidSpecException e) {
            throw new ConflictException("the row still does not fit region '" + region.name() + "': " + e.getMessage());
        }
        if (hasPendingWrite(region, k)) {
            return RetryState.SUPERSEDED; // the hub's own newer write is on its way to the source
        }
        region.cache().withSkipStore().put(k, v);
        return RetryState.APPLIED;
    }
}
