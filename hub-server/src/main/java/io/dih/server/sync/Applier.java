package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import io.dih.api.CacheStrategy;
import io.dih.api.SourceSpec;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.KeyOrder;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.server.source.Plan;
import io.dih.server.source.Planner;
import io.dih.server.source.SourceRegistry;
import io.dih.server.transform.Pipeline;
import io.dih.spi.ChangeEvent;
import io.dih.spi.Connector;
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
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
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

    /**
     * Where a source's table goes: its region and how columns map; {@code strictFields}: a JSON message with a field
     * the region lacks is a dead letter (else the field is left out: the binding's {@code extra_fields: ignore});
     * {@code ordered}: its source consumes each partition in order on one member ({@link io.dih.spi.Connector#partitionOrdered}),
     * so one position per partition (not per key) tells a message delivered again.
     */
    record Target(Region region, Plan plan, Set<String> sourceColumns, boolean strictFields, boolean ordered) {
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
    static Map<String, Object> regionRow(Plan plan, Map<String, Object> sourceRow) {
        Map<String, Object> out = new HashMap<>();
        plan.columnMap().forEach((regionCol, sourceCol) -> out.put(regionCol, sourceRow.get(sourceCol)));
        return out;
    }

    /**
     * The region value of a source row (read-through), after the binding's transforms: {@code null} when they filter
     * the row out (it would not be in the region) or fail on it (logged: such a row is a dead letter when a load or a
     * feed meets it).
     */
    Object valueOf(Region region, Plan plan, Map<String, Object> sourceRow) {
        Map<String, Object> row = TransformedRows.readThrough(region, plan, sourceRow);
        return row == null ? null : EntryCodec.valueOf(region, ignite.binary(), regionRow(plan, row));
    }

    /** Whether a key has a write on its way to the source (a load or change must not overwrite or remove it). */
    boolean hasPendingWrite(Region region, Object key) {
        return region.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND && queue.pending(region, key).isPresent();
    }

    /**
     * The same inside a pessimistic transaction, which then holds a write wherever it holds a lock (see
     * {@link WriteBehindQueue#pendingInTransaction}).
     */
    boolean hasPendingWriteInTransaction(Region region, Object key) {
        return region.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND && queue.pendingInTransaction(region, key);
    }

    /** A load's way into the region: see {@link LoadWriter}. */
    LoadWriter load(SourceSpec spec, Region region, Plan plan, boolean full) {
        return new LoadWriter(ignite, this, spec, region, plan, full);
    }

    /** Forgets a source's targets: its feed restarts with a fresh plan. */
    void replan(String source) {
        targets.remove(source.toLowerCase(Locale.ROOT));
    }

    Map<String, Target> targets(SourceSpec spec, boolean replan) {
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
        Connector connector = sources.connectors().connector(spec);
        boolean ordered = connector.partitionOrdered();
        Map<String, Plan> plans = sources.planner().planRegistered(spec, connector);
        Map<String, Target> out = new HashMap<>();
        plans.forEach((regionName, p) -> {
            if (!p.newColumns().isEmpty()) {
                regions.addColumns(regionName, spec.sourceName(), p.newColumns()); // a column added in the database mid-stream
            }
            out.put(p.table().name().toLowerCase(Locale.ROOT), new Target(regions.get(regionName), p, new HashSet<>(p.columnMap().values()),
                    !Planner.IGNORE.equals(spec.binding(regionName).option(Planner.EXTRA_FIELDS)), ordered));
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
                        + "' (declare it in the region's fields, map it to a column with the binding's mapping, or leave such fields out with "
                        + "the binding's extra_fields: ignore)");
            }
        }
    }

    /**
     * Applies changes (no truncate among them) inside the caller's transaction with a few bulk cache calls: the keys'
     * last positions are read (and locked) at once, each change is checked against the newest position seen so far,
     * the last outcome per key is written with one putAll/removeAll per region, and every position read (new or not)
     * with one putAll. Keys are taken in {@link KeyOrder}, as every multi-key write of the hub takes them.
     */
    void applyBatch(String sourceName, List<ChangeEvent> batch, Map<String, Target> byTable, AppliedChanges applied) {
        // event: as the region takes it (after the binding's transforms); given: as the source sent it (for its dead letter)
        record Item(ChangeEvent event, ChangeEvent given, Target target, Object key, String posKey) {
        }
        List<Item> items = new ArrayList<>(batch.size());
        TreeSet<String> posKeys = new TreeSet<>();
        Map<Target, List<ChangeEvent>> windowed = new LinkedHashMap<>();
        for (ChangeEvent given : batch) {
            Target t = byTable.get(given.table().toLowerCase(Locale.ROOT));
            if (t == null) {
                continue; // a table no binding names
            }
            Region region = t.region();
            if (given.kind() == ChangeEvent.Kind.UNREADABLE) {
                deadLetter(sourceName, region, given, null, given.error(), applied);
                continue;
            }
            ChangeEvent e = given;
            if (given.kind() == ChangeEvent.Kind.UPSERT && given.row() != null && !t.plan().transforms().isEmpty()) {
                Pipeline.Outcome o = t.plan().transforms().apply(given.row());
                e = TransformedRows.change(t, given, o);
                if (e == null) {
                    deadLetter(sourceName, region, given, null, TransformedRows.error((Pipeline.Failed) o), applied);
                    continue;
                }
            }
            if (t.plan().aggregate() != null) {
                if (e.kind() == ChangeEvent.Kind.DELETE && given.kind() == ChangeEvent.Kind.UPSERT) {
                    continue; // filtered out by the transforms: a window does not count it
                }
                windowed.computeIfAbsent(t, k -> new ArrayList<>()).add(e);
                continue;
            }
            Object k;
            try {
                if (t.plan().schemaless() && t.strictFields() && e.row() != null) {
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
                deadLetter(sourceName, region, given, null, ex.getMessage(), applied);
                continue;
            }
            // a partition read in order by one member: its position is kept once, not per key (far fewer entries to lock)
            String posKey = t.ordered() && e.stream() != null ? SourcePositions.partitionKey(sourceName, region.name(), e.stream())
                    : SourcePositions.key(sourceName, region.name(), EntryCodec.keyText(region, k));
            items.add(new Item(e, given, t, k, posKey));
            posKeys.add(posKey);
        }
        windowed.forEach((t, events) -> windows.fold(sourceName, t, events, applied,
                (e, keyText, error) -> deadLetter(sourceName, t.region(), e, keyText, error, applied)));
        IgniteCache<String, long[]> cache = positions.cache();
        // every position read here is written back, changed or not (a key that has none gets the empty "none"): a
        // transaction must never hold only reads on a node (see WriteBehindQueue.pendingInTransaction)
        Map<String, long[]> newest = new TreeMap<>(cache.getAll(posKeys));
        for (String posKey : posKeys) {
            newest.putIfAbsent(posKey, SourcePositions.NONE);
        }
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
                    deadLetter(sourceName, region, it.given(), EntryCodec.keyText(region, it.key()), ex.getMessage(), applied);
                    continue;
                }
            }
            newest.put(it.posKey(), SourcePositions.of(e));
            if (hasPendingWriteInTransaction(region, it.key())) {
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
        if (!newest.isEmpty()) {
            cache.putAll(newest);
        }
    }
}
