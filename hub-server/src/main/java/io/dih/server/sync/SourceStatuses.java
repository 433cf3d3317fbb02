package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import io.dih.api.CacheStrategy;
import io.dih.api.ConsistencyLevel;
import io.dih.api.SourceSpec;
import io.dih.api.SyncMode;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.server.source.SourceRegistry;
import io.dih.spi.NotFoundException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ignite.Ignite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each source's sync stands (its loads, change feed, write-behind and refresh-ahead per region), and the
 * BOUNDED_STALENESS sources' lag against their bound: the {@code /status} call and {@code /health}'s degraded list.
 */
final class SourceStatuses {
    private static final Logger LOG = LoggerFactory.getLogger(SourceStatuses.class);

    private final Ignite ignite;
    private final RegionService regions;
    private final SourceRegistry sources;
    private final SyncEngine engine;

    SourceStatuses(Ignite ignite, RegionService regions, SourceRegistry sources, SyncEngine engine) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.engine = requireNonNull(engine, "engine is null");
    }

    SourceStatus status(String name) {
        SourceSpec s = sources.spec(name);
        long now = System.currentTimeMillis();
        Map<String, SourceStatus.RegionLoad> perRegion = new LinkedHashMap<>();
        String overall = "IDLE";
        CdcFeeds.CdcStatus cdc = s.syncMode() == SyncMode.CDC ? engine.cdc().status(s.sourceName()) : null;
        StreamFeeds.StreamStatus stream = s.syncMode() == SyncMode.STREAM ? engine.streams().status(s.sourceName()) : null;
        Map<String, Long> streamed = stream == null ? Map.of() : engine.streams().regionMessages(s.sourceName());
        for (String region : s.targetRegions()) {
            LoadState st = engine.loads().state(s.sourceName(), region);
            if (st == null) {
                st = LoadState.initial();
            }
            SourceStatus.RegionLoad load;
            if (cdc != null && !st.queued() && !"LOADING".equals(st.state)) { // unless a load asked for by a sync runs
                CdcFeeds.CdcRegion applied = engine.cdc().region(s.sourceName(), region);
                load = SourceStatus.RegionLoad.cdc(cdc.state(), applied.snapshotRows(), applied.events(), cdc.error());
            } else if (stream != null) {
                load = SourceStatus.RegionLoad.stream(stream.state(), streamed.getOrDefault(region.toLowerCase(Locale.ROOT), 0L),
                        stream.error());
            } else {
                load = st.toStatus(now);
            }
            try {
                load = load.withSync(writeBehind(regions.get(region)), refreshAhead(regions.get(region)));
            } catch (NotFoundException ignored) {
                // region deleted meanwhile
            }
            perRegion.put(region, load);
            if ("FAILED".equals(st.state)) {
                overall = "FAILED";
            } else if (("LOADING".equals(st.state) || st.queued()) && !"FAILED".equals(overall)) {
                overall = "LOADING";
            }
        }
        SourceStatus.Staleness staleness = staleness(s, stream, now);
        if (staleness != null && staleness.degraded()) {
            overall = "DEGRADED";
        }
        SourceAccess.ReadCounters rc = engine.access().readCounters(s.sourceName());
        SourceStatus.ReadThrough reads = rc == null ? null
                : new SourceStatus.ReadThrough(rc.reads.get(), rc.timeouts.get(), rc.fallbacks.get());
        String feedState = cdc != null ? cdc.state() : stream != null ? stream.state() : null;
        if (feedState != null) {
            if ("RETRYING".equals(feedState) && !"DEGRADED".equals(overall)) {
                overall = "RETRYING";
            } else if ("IDLE".equals(overall)) {
                overall = feedState;
            }
        }
        return new SourceStatus(s.sourceName(), s.syncMode().name(), overall, perRegion, reads,
                s.consistencyLevel() == null ? null : s.consistencyLevel().name(), staleness, cdc, stream,
                engine.applier().deadLetters().count(s.sourceName()));
    }

    private Object writeBehind(Region r) {
        return r.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND ? engine.writeBehindStatus(r) : null;
    }

    private Object refreshAhead(Region r) {
        if (r.spec().cacheStrategy() != CacheStrategy.REFRESH_AHEAD) {
            return null;
        }
        RefreshAhead.Counters c = engine.refreshAhead().counters(r.name());
        return Map.of("refreshes", c.refreshes(), "failures", c.failures(), "misses_avoided", c.missesAvoided(),
                "deferred", c.deferred(), "node", ignite.name() == null ? "" : ignite.name());
    }

    /** The lag of a BOUNDED_STALENESS source against its bound, or {@code null} for other levels ({@code stream}: its stream status if known). */
    private SourceStatus.Staleness staleness(SourceSpec s, StreamFeeds.StreamStatus stream, long now) {
        if (s.consistencyLevel() != ConsistencyLevel.BOUNDED_STALENESS || s.maxStalenessSeconds() == null) {
            return null;
        }
        long lag = 0;
        String cause = null;
        if (s.syncMode() == SyncMode.STREAM) {
            lag = StreamFeeds.lagMillis(stream != null ? stream : engine.streams().status(s.sourceName()));
            cause = "the stream of source '" + s.sourceName() + "' is " + lag / 1000 + " s behind (messages waiting: see its backlog)";
        }
        for (String region : s.targetRegions()) {
            if (s.syncMode() == SyncMode.LOAD) {
                LoadState st = engine.loads().state(s.sourceName(), region);
                long l = st == null ? 0 : st.lagMillis(now);
                if (l > lag) {
                    lag = l;
                    cause = "region '" + region + "' was last loaded from the source " + l / 1000 + " s ago";
                }
            }
            try {
                Region r = regions.get(region);
                if (r.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND
                        && sources.primaryFor(r.name()).filter(b -> b.sourceName().equalsIgnoreCase(s.sourceName())).isPresent()) {
                    WriteBehindQueue.Depth d = engine.queue().depth(r);
                    long l = d.oldestAgeMillis(now);
                    if (l > lag) {
                        lag = l;
                        cause = d.pending() + " writes to region '" + region + "' are pending, the oldest for " + l / 1000 + " s";
                    }
                }
            } catch (NotFoundException ignored) {
                // region deleted meanwhile
            }
        }
        boolean degraded = lag > s.maxStalenessSeconds() * 1000;
        return new SourceStatus.Staleness(s.maxStalenessSeconds(), lag / 1000.0, degraded, degraded ? cause : null);
    }

    /** The BOUNDED_STALENESS sources past their bound, with why: what {@code /health} reports as degraded. */
    Map<String, String> degraded() {
        Map<String, String> out = new TreeMap<>();
        long now = System.currentTimeMillis();
        for (SourceSpec s : sources.specs()) {
            try {
                SourceStatus.Staleness st = staleness(s, null, now);
                if (st != null && st.degraded()) {
                    out.put(s.sourceName(), st.cause());
                }
            } catch (RuntimeException e) {
                LOG.debug("Cannot measure the staleness of {}: {}", s.sourceName(), e.getMessage());
            }
        }
        return out;
    }
}
