package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.api.SourceSpec;
import io.dih.api.SyncMode;
import io.dih.server.source.SourceRegistry;
import io.dih.spi.ChangeFeed;
import io.dih.spi.ChangeSink;
import io.dih.spi.OffsetStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ObjLongConsumer;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.configuration.CacheConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CDC sources' change feeds: each runs in a cluster singleton ({@link CdcService}) that can be started, stopped,
 * paused, resumed and restarted; their offsets and schema history live in a replicated cache, their published
 * progress in the sync status cache.
 */
public final class CdcFeeds {
    private static final Logger LOG = LoggerFactory.getLogger(CdcFeeds.class);
    /**
     * Marks a source paused under this prefix in {@code dih_cdc_offsets} (replicated, persisted with the offsets, so a
     * paused source stays paused when nodes restart). Source names cannot contain '/', so it never meets a source key.
     */
    private static final String PAUSED = "paused/";
    /** A binlog feed's schema history lives under this prefix in {@code dih_cdc_offsets}, next to its offsets. */
    private static final String HISTORY = "history/";

    private final Ignite ignite;
    private final SourceRegistry sources;
    private final Applier applier;
    private final SourcePositions positions;
    private final IgniteCache<String, Object> status;
    /** Each CDC source's feed offsets (opaque strings), replicated to every node. */
    private final IgniteCache<String, HashMap<String, String>> offsets;
    private volatile ObjLongConsumer<String> lagListener = (s, l) -> { };

    CdcFeeds(Ignite ignite, SourceRegistry sources, Applier applier, SourcePositions positions, IgniteCache<String, Object> status) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.applier = requireNonNull(applier, "applier is null");
        this.positions = requireNonNull(positions, "positions is null");
        this.status = requireNonNull(status, "status is null");
        this.offsets = ignite.getOrCreateCache(new CacheConfiguration<String, HashMap<String, String>>("dih_cdc_offsets")
                .setCacheMode(CacheMode.REPLICATED)
                .setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC));
    }

    /** Starts every CDC source's feed that is not paused (a node starting up joins the singletons). */
    void startAll() {
        for (String source : sources.names(SyncMode.CDC)) {
            if (!paused(source)) {
                start(source);
            }
        }
    }

    /** Starts (or joins) the cluster singleton that runs a CDC source's engine. Idempotent. */
    public void start(String source) {
        ignite.services().deployClusterSingleton(CdcService.serviceName(source), new CdcService(source));
    }

    /**
     * Stops a CDC source's engine everywhere, forgets its offsets, progress, pause and per-key positions (a source
     * registered later, perhaps on another database whose log positions are lower, starts afresh), and drops what its
     * feed left in the database (its replication slot).
     */
    void deleted(SourceSpec s) {
        String source = s.sourceName();
        ignite.services().cancel(CdcService.serviceName(source));
        String key = source.toLowerCase(Locale.ROOT);
        offsets.remove(key);
        offsets.remove(PAUSED + key);
        offsets.remove(HISTORY + key);
        status.remove("cdc/" + key);
        positions.forget(source);
        try {
            sources.connectors().connector(s).dropChangeFeed(SourceRegistry.feedName(source));
        } catch (RuntimeException e) {
            LOG.warn("Source {} is deleted, but its change feed could not be dropped from the database: {}", source, e.getMessage());
        }
    }

    /** Pauses a CDC source: its engine stops, its offsets, slot and regions stay; {@link #resume} goes on from there. */
    public void pause(String source) {
        markPaused(source, true);
        ignite.services().cancel(CdcService.serviceName(source));
    }

    /** Resumes a paused CDC source from its stored offsets (or starts it when it is not running). */
    public void resume(String source) {
        markPaused(source, false);
        start(source);
    }

    /** Stops and starts a CDC source's engine (it resumes from its stored offsets, possibly on another node); unpauses it. */
    public void restart(String source) {
        ignite.services().cancel(CdcService.serviceName(source));
        resume(source);
    }

    /** Whether a CDC source is paused through the API. */
    public boolean paused(String source) {
        return offsets.containsKey(PAUSED + source.toLowerCase(Locale.ROOT));
    }

    /**
     * Marks any feed paused ({@code true}) or not, in the replicated, persisted cache the CDC offsets live in, so a
     * paused feed stays paused when nodes restart. Streams keep their pause here too.
     */
    void markPaused(String source, boolean paused) {
        String key = PAUSED + source.toLowerCase(Locale.ROOT);
        if (paused) {
            offsets.put(key, new HashMap<>(Map.of("at", Instant.now().toString())));
        } else {
            offsets.remove(key);
        }
    }

    /** A CDC source's spec, or {@code null} once it is deleted (or is not CDC). */
    SourceSpec spec(String source) {
        return sources.find(source, SyncMode.CDC);
    }

    /** A new change feed of a CDC source's bindings (tables), with a fresh plan. */
    ChangeFeed changeFeed(SourceSpec spec, OffsetStore store, ChangeSink sink) {
        applier.replan(spec.sourceName());
        return sources.connectors().connector(spec).changeFeed(SourceRegistry.feedName(spec.sourceName()), SourceRegistry.bindings(spec),
                store, sink);
    }

    Applier applier() {
        return applier;
    }

    /** The offsets of a CDC source's feed, kept in a replicated cache. */
    OffsetStore offsets(String source) {
        String key = source.toLowerCase(Locale.ROOT);
        return new OffsetStore() {
            @Override
            public Map<String, String> load() {
                HashMap<String, String> m = offsets.get(key);
                return m == null ? Map.of() : m;
            }

            @Override
            public void save(Map<String, String> next) {
                offsets.put(key, new HashMap<>(next));
            }

            /** The schema history: records under "0", "1", … of one entry (only the feed's single engine appends). */
            @Override
            public List<String> history() {
                HashMap<String, String> m = offsets.get(HISTORY + key);
                List<String> out = new ArrayList<>();
                for (int i = 0; m != null && m.containsKey(Integer.toString(i)); i++) {
                    out.add(m.get(Integer.toString(i)));
                }
                return out;
            }

            @Override
            public void appendHistory(String record) {
                HashMap<String, String> m = offsets.get(HISTORY + key);
                HashMap<String, String> next = m == null ? new HashMap<>() : new HashMap<>(m);
                next.put(Integer.toString(next.size()), record);
                offsets.put(HISTORY + key, next);
            }
        };
    }

    CdcState state(String source) {
        Object o = status.get("cdc/" + source.toLowerCase(Locale.ROOT));
        return o instanceof CdcState c ? c : null;
    }

    void publish(String source, CdcState st) {
        status.put("cdc/" + source.toLowerCase(Locale.ROOT), st);
    }

    /** What a CDC source's engine applied to one of its regions: snapshot rows and change events (zeros before any). */
    public record CdcRegion(long snapshotRows, long events) {
    }

    public CdcRegion region(String source, String region) {
        CdcState st = state(source);
        long[] c = st == null || st.regions == null ? null : st.regions.get(region.toLowerCase(Locale.ROOT));
        return c == null ? new CdcRegion(0, 0) : new CdcRegion(c[0], c[1]);
    }

    /** Where CDC lags (source commit → visible) go: the node's metrics. */
    public void onLag(ObjLongConsumer<String> listener) {
        this.lagListener = requireNonNull(listener, "listener is null");
    }

    void recordLag(String source, long lagMillis) {
        lagListener.accept(source, lagMillis);
    }

    /** A CDC source's engine, as status shows it. */
    public record CdcStatus(
            @JsonProperty("state") String state,
            @JsonProperty("snapshot_rows") long snapshotRows,
            @JsonProperty("snapshot_total") Long snapshotTotal,
            @JsonProperty("snapshot_percent") Double snapshotPercent,
            @JsonProperty("events") long events,
            @JsonProperty("events_per_second") double eventsPerSecond,
            @JsonProperty("lag_ms") long lagMs,
            @JsonProperty("lag_p50_ms") long lagP50Ms,
            @JsonProperty("lag_p99_ms") long lagP99Ms,
            @JsonProperty("max_lag_ms") long maxLagMs,
            @JsonProperty("stale_skipped") long staleSkipped,
            @JsonProperty("last_event_at") String lastEventAt,
            @JsonProperty("error") String error,
            @JsonProperty("error_at") String errorAt,
            @JsonProperty("node") String node) {
    }

    public CdcStatus status(String source) {
        CdcState st = state(source);
        if (st == null) {
            st = new CdcState();
        }
        boolean paused = paused(source);
        Long total = st.snapshotTotal >= 0 ? st.snapshotTotal : null;
        Double percent = st.snapshotDone ? Double.valueOf(100.0)
                : total == null || total == 0 ? null : Math.min(100.0, Math.round(st.snapshotRows * 1000.0 / total) / 10.0);
        return new CdcStatus(paused ? "PAUSED" : st.state, st.snapshotRows, total, percent, st.events,
                paused ? 0 : Math.round(st.eventsPerSecond * 10) / 10.0, st.lastLagMillis, st.lagP50Millis, st.lagP99Millis,
                st.maxLagMillis, st.skippedStale, st.lastEventAtMillis == 0 ? null : Instant.ofEpochMilli(st.lastEventAtMillis).toString(),
                st.error, st.errorAtMillis == 0 ? null : Instant.ofEpochMilli(st.errorAtMillis).toString(), st.node);
    }
}
