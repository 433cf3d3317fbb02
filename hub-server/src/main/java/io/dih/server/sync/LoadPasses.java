package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import io.dih.api.BindingSpec;
import io.dih.api.SourceSpec;
import io.dih.server.region.Region;
import io.dih.server.source.Plan;
import io.dih.server.source.SourceRegistry;
import io.dih.spi.Connector;
import io.dih.spi.LoadPart;
import io.dih.spi.LoadParts;
import io.dih.spi.RowSink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.ignite.IgniteCache;

/**
 * One pass of a load over a binding's source, on the loading thread, with its progress in the load states: every row
 * (or those past the watermark), or — for a source made of parts — the parts whose version changed. Rows go into the
 * region through a {@link LoadWriter}; {@link Loads} decides when a pass runs and holds its lock.
 */
final class LoadPasses {
    private static final int PROGRESS_EVERY = 5000;

    private final SourceRegistry sources;
    private final Applier applier;
    private final IgniteCache<String, LoadState> states;
    private final BooleanSupplier closed;

    LoadPasses(SourceRegistry sources, Applier applier, IgniteCache<String, LoadState> states, BooleanSupplier closed) {
        this.sources = requireNonNull(sources, "sources is null");
        this.applier = requireNonNull(applier, "applier is null");
        this.states = requireNonNull(states, "states is null");
        this.closed = requireNonNull(closed, "closed is null");
    }

    /** A finished load: the rows it read and the state it leaves. */
    record Loaded(long rows, LoadState state) {
    }

    /** A load of every row (full), or of the rows past the watermark. */
    Loaded rows(SourceSpec spec, Region region, Plan plan, boolean full, LoadState before) {
        String key = Loads.stateKey(spec.sourceName(), region.name());
        BindingSpec binding = spec.binding(region.name());
        Connector connector = sources.connectors().connector(spec);
        Object after = full ? null : before.watermark;
        long total = connector.count(binding, after).orElse(-1);
        LoadState st = before.started(full ? "full" : "incremental", total, System.currentTimeMillis());
        states.put(key, st);
        long[] count = {0};
        Object watermark;
        long removed;
        try (LoadWriter load = applier.load(spec, region, plan, full)) {
            watermark = connector.load(binding, after, new RowSink() {
                @Override
                public void accept(Map<String, Object> row) {
                    checkGoingOn(spec, count[0]);
                    load.accept(row);
                    if (++count[0] % PROGRESS_EVERY == 0) {
                        states.put(key, st.progress(count[0]));
                    }
                }

                @Override
                public void unreadable(String position, String raw, String error) {
                    load.unreadable(position, raw, error);
                }
            });
            removed = load.finish();
        }
        return new Loaded(count[0], st.finished(count[0], removed, watermark == null ? st.watermark : watermark, System.currentTimeMillis()));
    }

    /**
     * A load of a source made of parts (the objects of a bucket): every part on a full load, else only the parts whose
     * version changed since the last load; afterwards the entries of the parts that are gone leave the region, and so
     * do those of a part read again that its new version no longer has (each entry names its part in a column). Where
     * the region has no such column (the binding mapped it away), every load is full.
     */
    Loaded parts(SourceSpec spec, Region region, Plan plan, LoadParts parts, boolean fullRequested, LoadState before) {
        String key = Loads.stateKey(spec.sourceName(), region.name());
        BindingSpec binding = spec.binding(region.name());
        Connector connector = sources.connectors().connector(spec);
        String partColumn = null;
        for (Map.Entry<String, String> m : plan.columnMap().entrySet()) {
            if (m.getValue().equals(parts.column())) {
                partColumn = m.getKey();
            }
        }
        Map<String, String> last = before.watermark instanceof PartVersions v ? v.versions() : Map.of();
        boolean full = fullRequested || partColumn == null || last.isEmpty();
        List<LoadPart> toRead = new ArrayList<>();
        Map<String, String> now = new LinkedHashMap<>();
        long bytes = 0;
        for (LoadPart p : parts.parts()) {
            now.put(p.name(), p.version());
            if (full || !p.version().equals(last.get(p.name()))) {
                toRead.add(p);
                bytes += Math.max(0, p.bytes());
            }
        }
        Set<String> gone = new HashSet<>(last.keySet());
        gone.removeAll(now.keySet());
        LoadState st = before.started(full ? "full" : "incremental", -1, System.currentTimeMillis());
        LoadState.PartProgress progress = new LoadState.PartProgress(0, toRead.size(), 0, bytes, parts.parts().size() - toRead.size(),
                full ? 0 : gone.size());
        states.put(key, st.withParts(progress));
        long[] count = {0};
        long removed;
        try (LoadWriter load = applier.load(spec, region, plan, full)) {
            Map<String, Set<Object>> reread = new HashMap<>();
            long bytesDone = 0;
            for (int i = 0; i < toRead.size(); i++) {
                LoadPart part = toRead.get(i);
                // a part that was there before may have lost rows: remember what its new version has
                Set<Object> keys = !full && last.containsKey(part.name()) ? reread.computeIfAbsent(part.name(), n -> new HashSet<>()) : null;
                LoadState.PartProgress at = new LoadState.PartProgress(i, toRead.size(), bytesDone, bytes, progress.unchanged(), progress.gone());
                connector.loadPart(binding, part, new RowSink() {
                    @Override
                    public void accept(Map<String, Object> row) {
                        checkGoingOn(spec, count[0]);
                        Object k = load.accept(row);
                        if (keys != null && k != null) {
                            keys.add(k);
                        }
                        if (++count[0] % PROGRESS_EVERY == 0) {
                            states.put(key, st.progress(count[0]).withParts(at));
                        }
                    }

                    @Override
                    public void unreadable(String position, String raw, String error) {
                        load.unreadable(position, raw, error);
                    }
                });
                bytesDone += Math.max(0, part.bytes());
                progress = new LoadState.PartProgress(i + 1, toRead.size(), bytesDone, bytes, progress.unchanged(), progress.gone());
                states.put(key, st.progress(count[0]).withParts(progress));
            }
            removed = full ? load.finish() : load.removeStaleParts(partColumn, gone, reread);
        }
        return new Loaded(count[0], st.finished(count[0], removed, new PartVersions(now), System.currentTimeMillis()).withParts(progress));
    }

    private void checkGoingOn(SourceSpec spec, long rowsSoFar) {
        if (rowsSoFar % PROGRESS_EVERY == 0 && (closed.getAsBoolean() || sources.find(spec.sourceName()) == null)) {
            throw new IllegalStateException("the source was deleted or the node is stopping");
        }
    }
}
