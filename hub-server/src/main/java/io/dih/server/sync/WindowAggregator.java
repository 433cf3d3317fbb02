package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import io.dih.api.SqlType;
import io.dih.server.region.ColumnValues;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.KeyOrder;
import io.dih.server.region.Region;
import io.dih.server.source.AggregateSpec;
import io.dih.spi.ChangeEvent;
import io.dih.spi.InvalidSpecException;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.configuration.CacheConfiguration;

/**
 * Folds a stream's messages into tumbling windows ({@link AggregateSpec}) inside the applier's transaction: the
 * window rows' running totals and the position of the last message each folded per partition live in
 * {@code dih_window_state}, so a redelivered message is skipped and the totals stay exact; the region gets the
 * computed row (group columns, window_start, window_end, measures).
 */
final class WindowAggregator {
    static final String CACHE = "dih_window_state";

    /** What the applier does with a message the windows cannot take. */
    interface Rejects {
        void reject(ChangeEvent e, String keyText, String error);
    }

    private final Ignite ignite;
    private final IgniteCache<String, WindowState> states;

    WindowAggregator(Ignite ignite) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        CacheConfiguration<String, WindowState> cc = new CacheConfiguration<String, WindowState>(CACHE)
                .setBackups(1)
                .setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
        if (WriteBehindQueue.syncDataRegion(ignite) != null) {
            cc.setDataRegionName(WriteBehindQueue.DATA_REGION);
        }
        this.states = ignite.getOrCreateCache(cc);
    }

    private record Item(ChangeEvent event, Object key, String stateKey, long windowStart, Map<String, Object> groups) {
    }

    /** Folds upserts into their windows (deletes and truncates mean nothing to a window), in the caller's transaction. */
    void fold(String source, Applier.Target t, List<ChangeEvent> events, AppliedChanges applied, Rejects rejects) {
        Region region = t.region();
        AggregateSpec agg = t.plan().aggregate();
        long now = System.currentTimeMillis();
        List<Item> items = new ArrayList<>();
        for (ChangeEvent e : events) {
            if (e.kind() != ChangeEvent.Kind.UPSERT) {
                continue;
            }
            try {
                long time = time(agg, e);
                if (time < now - agg.keepMillis()) {
                    throw new InvalidSpecException("time", "the message's window (" + new Timestamp(time - Math.floorMod(time, agg.windowMillis()))
                            + ") closed: it is older than keep_seconds (" + agg.keepMillis() / 1000 + " s)");
                }
                long start = time - Math.floorMod(time, agg.windowMillis());
                Map<String, Object> keyRow = new HashMap<>();
                for (String g : agg.groupBy()) {
                    Object v = e.row().get(t.plan().columnMap().get(g.toLowerCase(Locale.ROOT)));
                    if (v == null) {
                        throw new InvalidSpecException(g, "the message has no value for group_by column '" + g + "'");
                    }
                    keyRow.put(g.toLowerCase(Locale.ROOT), v);
                }
                for (AggregateSpec.Measure m : agg.measures()) {
                    number(m, e.row()); // a value that is not a number makes the whole message a dead letter
                }
                Map<String, Object> groups = new HashMap<>(keyRow);
                keyRow.put(AggregateSpec.WINDOW_START, new Timestamp(start));
                Object k = EntryCodec.keyOf(region, ignite.binary(), keyRow);
                items.add(new Item(e, k, SourcePositions.key(source, region.name(), EntryCodec.keyText(region, k)), start, groups));
            } catch (InvalidSpecException ex) {
                rejects.reject(e, null, ex.getMessage());
            }
        }
        if (items.isEmpty()) {
            return;
        }
        TreeSet<String> keys = new TreeSet<>();
        items.forEach(i -> keys.add(i.stateKey()));
        Map<String, WindowState> current = new HashMap<>(states.getAll(keys));
        Map<String, Item> touched = new TreeMap<>();
        for (Item it : items) {
            WindowState st = current.computeIfAbsent(it.stateKey(), k -> new WindowState());
            long[] position = SourcePositions.of(it.event());
            long stream = position.length > 2 ? position[2] : 0;
            long[] last = st.folded.get(stream);
            if (last != null && !it.event().isAfter(last[0], last[1])) {
                applied.skipped(); // delivered again: already counted
                continue;
            }
            st.folded.put(stream, new long[] {position[0], position[1]});
            st.count++;
            for (AggregateSpec.Measure m : agg.measures()) {
                Double v = number(m, it.event().row());
                if (m.fn() != AggregateSpec.Fn.COUNT && v != null) {
                    double[] acc = st.measure(m.column());
                    acc[0] += v;
                    acc[1]++;
                    acc[2] = Math.min(acc[2], v);
                    acc[3] = Math.max(acc[3], v);
                }
            }
            applied.applied(region.name(), false);
            touched.put(it.stateKey(), it);
        }
        Map<Object, Object> rows = new TreeMap<>(KeyOrder.INSTANCE);
        touched.forEach((stateKey, it) -> rows.put(it.key(), EntryCodec.valueOf(region, ignite.binary(), row(agg, it, current.get(stateKey)))));
        // every state read is written back, counted into or not: the transaction never holds only reads on a node
        // (see WriteBehindQueue.pendingInTransaction); an update keeps the expiry set at creation
        Duration keep = new Duration(TimeUnit.MILLISECONDS, agg.keepMillis() + agg.windowMillis());
        states.withExpiryPolicy(new CreatedExpiryPolicy(keep)).putAll(new TreeMap<>(current));
        if (!rows.isEmpty()) {
            region.cache().withSkipStore().putAll(rows);
        }
    }

    /** The region row of a window: its group columns, bounds and measures. */
    private static Map<String, Object> row(AggregateSpec agg, Item it, WindowState st) {
        Map<String, Object> row = new HashMap<>(it.groups());
        row.put(AggregateSpec.WINDOW_START, new Timestamp(it.windowStart()));
        row.put(AggregateSpec.WINDOW_END, new Timestamp(it.windowStart() + agg.windowMillis()));
        for (AggregateSpec.Measure m : agg.measures()) {
            double[] acc = st.measures.get(m.column());
            Object v = switch (m.fn()) {
                case COUNT -> st.count;
                case SUM -> acc == null ? null : acc[0];
                case AVG -> acc == null || acc[1] == 0 ? null : acc[0] / acc[1];
                case MIN -> acc == null ? null : acc[2];
                case MAX -> acc == null ? null : acc[3];
            };
            row.put(m.column(), v);
        }
        return row;
    }

    /** A message's time: its {@code time_field} (epoch milliseconds or ISO-8601), else when the broker got it. */
    private static long time(AggregateSpec agg, ChangeEvent e) {
        if (agg.timeField() == null) {
            return e.commitMillis();
        }
        Object v = e.row().get(agg.timeField());
        if (v == null) {
            throw new InvalidSpecException(agg.timeField(), "the message has no time_field '" + agg.timeField() + "'");
        }
        Timestamp ts = (Timestamp) ColumnValues.coerce(agg.timeField(), SqlType.TIMESTAMP, v);
        return ts.getTime();
    }

    /** A measure's input from a message: a number, {@code null} when absent (count ignores it). */
    private static Double number(AggregateSpec.Measure m, Map<String, Object> row) {
        if (m.field() == null) {
            return null;
        }
        Object v = row.get(m.field());
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return new BigDecimal(v.toString().trim()).doubleValue();
        } catch (NumberFormatException ex) {
            throw new InvalidSpecException(m.field(), "field '" + m.field() + "' is '" + v + "', not a number (measure " + m.column() + ")");
        }
    }

    /** Forgets a deleted source's windows (one registered later under its name starts afresh). */
    void forget(String source) {
        String prefix = source.toLowerCase(Locale.ROOT) + "/";
        Set<String> batch = new TreeSet<>();
        try (QueryCursor<Cache.Entry<String, WindowState>> cur = states.query(new ScanQuery<String, WindowState>((k, v) -> k.startsWith(prefix)))) {
            for (Cache.Entry<String, WindowState> e : cur) {
                batch.add(e.getKey());
            }
        }
        if (!batch.isEmpty()) {
            states.removeAll(batch);
        }
    }
}
