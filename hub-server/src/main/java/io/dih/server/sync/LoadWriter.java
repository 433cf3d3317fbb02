package io.dih.server.sync;

import io.dih.api.CacheStrategy;
import io.dih.api.SourceSpec;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.Region;
import io.dih.server.region.RowEncoder;
import io.dih.server.source.Plan;
import io.dih.server.transform.Pipeline;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.cache.Cache;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteDataStreamer;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.query.ScanQuery;
import org.slf4j.LoggerFactory;

/**
 * A load's way into a region: rows go through the data streamer (skipping the region's store: they come from the
 * source), keys with a pending write keep it, and a full load remembers the keys it saw so the rest can leave.
 */
final class LoadWriter implements AutoCloseable {
    /** Rows the streamer sends to a node at once (Ignite's default is 512): fewer, larger batches for a bulk load. */
    private static final int STREAMER_BUFFER = 2048;
    private final Ignite ignite;
    private final Applier applier;
    private final IngestDeadLetters deadLetters;
    private final SourceSpec spec;
    private final Region region;
    private final Plan plan;
    private final IgniteDataStreamer<Object, Object> streamer;
    private final boolean checkPending;
    private final Set<Object> seen;
    private final Map<String, Object> row = new HashMap<>();
    private long deadLettered;
    private final RowEncoder encoder;

    LoadWriter(Ignite ignite, Applier applier, SourceSpec spec, Region region, Plan plan, boolean full) {
        this.ignite = ignite;
        this.applier = applier;
        this.deadLetters = applier.deadLetters();
        this.spec = spec;
        this.region = region;
        this.plan = plan;
        boolean wasEmpty = region.cache().sizeLong() == 0;
        this.checkPending = region.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND; // one local lookup per row
        this.seen = full && !wasEmpty ? new HashSet<>() : null; // an empty region has nothing stale to remove
        this.encoder = new RowEncoder(region, ignite.binary());
        this.streamer = ignite.dataStreamer(region.name());
        streamer.perNodeBufferSize(STREAMER_BUFFER);
        // Into an empty region the streamer writes partitions directly (fast); over existing entries it must go
        // through the cache API to overwrite them, which on TRANSACTIONAL regions is several times slower.
        // A journaled region needs every row as a change event, which only the cache API raises.
        streamer.allowOverwrite(!wasEmpty || applier.journaled(region.name()));
        streamer.skipStore(true); // rows come from the source: never echo them back to it
        streamer.keepBinary(true);
    }

    /**
     * Converts and adds one source row; a row that does not fit the region becomes a dead letter, and the load goes on.
     *
     * @return the row's region key, or {@code null} when it became a dead letter
     */
    Object accept(Map<String, Object> sourceRow) {
        Map<String, Object> in = sourceRow;
        if (!plan.transforms().isEmpty()) {
            Pipeline.Outcome o = plan.transforms().apply(sourceRow);
            if (o instanceof Pipeline.Filtered) {
                return null; // not loaded; a full load then removes the entry the row had
            }
            if (o instanceof Pipeline.Failed f) {
                rowDeadLetter(sourceRow, TransformedRows.error(f));
                return null;
            }
            in = ((Pipeline.Row) o).row();
        }
        Map<String, Object> transformed = in;
        row.clear();
        plan.columnMap().forEach((regionCol, sourceCol) -> row.put(regionCol, transformed.get(sourceCol)));
        Object k;
        Object v;
        try {
            k = EntryCodec.keyOf(region, ignite.binary(), row);
            v = encoder.value(row);
        } catch (InvalidSpecException e) {
            rowDeadLetter(sourceRow, "the row does not fit region '" + region.name() + "': " + e.getMessage());
            return null;
        }
        if (!checkPending || !applier.hasPendingWrite(region, k)) {
            streamer.addData(k, v); // a key with a pending write keeps it: the source will get it shortly
        }
        if (seen != null) {
            seen.add(k);
        }
        return k;
    }

    /** What the source could not read as a row (a malformed CSV line): a dead letter, and the load goes on. */
    void unreadable(String position, String raw, String error) {
        deadLetters.addUnreadable(spec.sourceName(), region.name(), position, raw, error);
        if (deadLettered++ == 0) {
            LoggerFactory.getLogger(LoadWriter.class).warn("{} of {} cannot be read: {}; it is a dead letter (GET /data-sources/{}/dead-letters), "
                    + "the load goes on", position, spec.sourceName(), error, spec.sourceName());
        }
    }

    /**
     * After a load by parts: removes the entries of the parts that are gone, and those of the parts read again that
     * the new version no longer has ({@code column} is the region column that names each entry's part).
     *
     * @param reread the keys each part read again gave
     * @return how many entries were removed
     */
    long removeStaleParts(String column, Set<String> gone, Map<String, Set<Object>> reread) {
        streamer.flush();
        if (gone.isEmpty() && reread.isEmpty()) {
            return 0;
        }
        List<Object> stale = new ArrayList<>();
        try (var cur = region.cache().query(new ScanQuery<>())) {
            for (Cache.Entry<Object, Object> e : cur) {
                Object part = e.getValue() instanceof BinaryObject v ? v.field(column) : null;
                if (part == null) {
                    continue;
                }
                Set<Object> keys = reread.get(part.toString());
                boolean staleEntry = gone.contains(part.toString()) || (keys != null && !keys.contains(e.getKey()));
                if (staleEntry && !applier.hasPendingWrite(region, e.getKey())) {
                    stale.add(e.getKey());
                }
            }
        }
        remove(stale);
        return stale.size();
    }

    private void rowDeadLetter(Map<String, Object> sourceRow, String error) {
        deadLetters.addRow(spec.sourceName(), region.name(), sourceRow, keyText(sourceRow), error);
        if (deadLettered++ == 0) {
            LoggerFactory.getLogger(LoadWriter.class).warn("A row of {} cannot go into region {} [key={}]: {}; it is a dead letter "
                    + "(GET /data-sources/{}/dead-letters), the load goes on", spec.sourceName(), region.name(), keyText(sourceRow), error,
                    spec.sourceName());
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
                if (!seen.contains(e.getKey()) && !applier.hasPendingWrite(region, e.getKey())) {
                    stale.add(e.getKey());
                }
            }
        }
        remove(stale);
        return stale.size();
    }

    private void remove(List<Object> stale) {
        for (int i = 0; i < stale.size(); i += 1000) {
            // the rows are gone from the source already: the removal must not go back to it
            region.cache().withSkipStore().removeAll(new HashSet<>(stale.subList(i, Math.min(stale.size(), i + 1000))));
        }
    }

    /** Flushes what is streamed (after {@link #finish} a no-op): a failed load leaves the rows it streamed. */
    @Override
    public void close() {
        streamer.close();
    }
}
