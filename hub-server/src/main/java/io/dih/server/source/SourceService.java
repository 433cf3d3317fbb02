package io.dih.server.source;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dih.api.BindingSpec;
import io.dih.api.CacheStrategy;
import io.dih.api.SourceSpec;
import io.dih.api.SqlType;
import io.dih.api.SyncMode;
import io.dih.server.json.Json;
import io.dih.server.region.ColumnValues;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.server.registry.Registry;
import io.dih.spi.Capability;
import io.dih.spi.ConflictException;
import io.dih.spi.Connector;
import io.dih.spi.ConnectorContext;
import io.dih.spi.ConnectorFactory;
import io.dih.spi.FieldError;
import io.dih.spi.HubException;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.NotFoundException;
import io.dih.spi.SourceTable;
import io.dih.spi.UnavailableException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteDataStreamer;
import org.apache.ignite.IgniteLock;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.configuration.CacheConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers data sources and runs their loads. The registry holds each source's spec; every node keeps its own
 * connector per source, made on first use. Loads stream rows through {@link IgniteDataStreamer}; one load per
 * binding runs at a time in the whole cluster (a fail-over-safe Ignite lock), and periodic loads are started by the
 * oldest server node, so another node takes over when it leaves. Load progress and watermarks live in a REPLICATED
 * cache, so any node answers status and a new loader resumes incremental loads where the last one stopped.
 */
public final class SourceService implements AutoCloseable {
    public static final String KIND = "source";
    static final String STATUS_CACHE = "dih_source_status";
    private static final Logger LOG = LoggerFactory.getLogger(SourceService.class);
    private static final int PROGRESS_EVERY = 5000;

    private final Ignite ignite;
    private final Registry registry;
    private final RegionService regions;
    private final Connectors connectors;
    private final ConnectorContext context;
    private final IgniteCache<String, LoadState> states;
    /** This node's connectors, with the spec (as stored) each was made from. */
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private final ExecutorService loaders = Executors.newFixedThreadPool(2, daemon("dih-load"));
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("dih-load-schedule"));
    private volatile boolean closed;
    /** This node's sync engine (write-behind queue), attached once both exist. */
    private volatile io.dih.server.sync.SyncEngine sync;
    private volatile java.util.function.Consumer<String> bulkChanges = region -> { };
    private volatile java.util.function.Predicate<String> journaled = region -> false;
    private volatile java.util.function.BiConsumer<String, String> clearedListener = (region, why) -> { };

    public SourceService(Ignite ignite, Registry registry, RegionService regions, Connectors connectors, Map<String, String> env) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.connectors = requireNonNull(connectors, "connectors is null");
        this.context = ConnectorContext.of(requireNonNull(env, "env is null"));
        this.states = ignite.getOrCreateCache(new CacheConfiguration<String, LoadState>(STATUS_CACHE).setCacheMode(CacheMode.REPLICATED));
        ticker.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /** Connects the write-behind machinery: status shows its queues, loads leave keys with pending writes alone. */
    public void attach(io.dih.server.sync.SyncEngine engine) {
        this.sync = engine;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private record Live(String json, Connector connector) {
    }

    /** A region's source, as read/write-through needs it; computed on first use, dropped on any source change. */
    private record Bound(SourceSpec spec, BindingSpec binding, Plan plan) {
    }

    private final Map<String, java.util.Optional<Bound>> bound = new ConcurrentHashMap<>();

    /**
     * Closes this node's connector of a source that changed or went away; called by the registry listener with the
     * new spec, or {@code null} when the source was removed.
     */
    public void onRegistryChange(String registryKey, String json) {
        if (registryKey.startsWith("region/")) {
            bound.clear();
            primaries.clear();
            cdcTargets.clear();
        }
        if (registryKey.startsWith(KIND + "/")) {
            bound.clear();
            primaries.clear();
            String name = registryKey.substring(KIND.length() + 1);
            Live l = live.get(name);
            if (l != null && (json == null || !json.equals(l.json())) && live.remove(name, l)) {
                l.connector().close();
            }
        }
    }

    public record Registered(SourceSpec spec, boolean created) {
    }

    /**
     * Registers a source: checks the spec, connects, checks every binding against its table and region, adds the
     * source's columns the regions lack, stores the spec, then starts the first load. Nothing is stored when any
     * step fails.
     */
    public Registered register(SourceSpec requested) {
        SourceSpec spec = requested.normalize();
        ConnectorFactory factory = connectors.factory(spec.sourceType());
        String existing = registry.get(KIND, spec.sourceName());
        if (existing != null) {
            SourceSpec current = read(existing);
            if (!current.equals(spec)) {
                throw new ConflictException("source '" + current.sourceName() + "' already exists with a different spec; "
                        + "delete it first or send the same spec [source=" + spec.sourceName() + "]");
            }
            return new Registered(current.redacted(factory.secretKeys()), false);
        }
        Connector connector = connect(spec, factory);
        boolean stored = false;
        try {
            Map<String, Plan> plans = plan(spec, factory, connector);
            if (spec.syncMode() == SyncMode.CDC) {
                List<BindingSpec> bindings = new ArrayList<>();
                spec.targetRegions().forEach(r -> bindings.add(spec.binding(r)));
                List<FieldError> problems = connector.checkChangeFeed(feedName(spec.sourceName()), bindings);
                if (!problems.isEmpty()) {
                    throw new InvalidSpecException(problems);
                }
            }
            plans.forEach((region, p) -> regions.addColumns(region, spec.sourceName(), p.newColumns()));
            String json = write(spec);
            Live fresh = new Live(json, connector);
            Live old = live.put(spec.sourceName().toLowerCase(Locale.ROOT), fresh);
            if (old != null) {
                old.connector().close();
            }
            String prior = registry.putIfAbsent(KIND, spec.sourceName(), json);
            if (prior != null) {
                if (!read(prior).equals(spec)) {
                    throw new ConflictException("source '" + spec.sourceName() + "' was registered concurrently with a different spec");
                }
                live.remove(spec.sourceName().toLowerCase(Locale.ROOT), fresh);
                return new Registered(read(prior).redacted(factory.secretKeys()), false);
            }
            stored = true;
            bound.clear(); // this node knows at once (the others when the registry listener tells them)
            primaries.clear();
            for (String region : spec.targetRegions()) {
                states.put(stateKey(spec.sourceName(), region), LoadState.initial());
            }
            LOG.info("Registered source {} ({}, {}) feeding {}", spec.sourceName(), spec.sourceType(), spec.syncMode(), spec.targetRegions());
            if (spec.syncMode() == SyncMode.LOAD) {
                for (String region : spec.targetRegions()) {
                    submitLoad(spec, region, true);
                }
            }
            io.dih.server.sync.SyncEngine engine = sync;
            if (spec.syncMode() == SyncMode.CDC && engine != null) {
                engine.startCdc(spec.sourceName()); // snapshot, then changes, on one node of the cluster
            }
            return new Registered(spec.redacted(factory.secretKeys()), true);
        } finally {
            if (!stored) {
                connector.close();
            }
        }
    }

    /** Every problem with a spec, without storing anything: the {@code /data-sources/validate} call. */
    public List<FieldError> validate(SourceSpec requested) {
        try {
            SourceSpec spec = requested.normalize();
            ConnectorFactory factory = connectors.factory(spec.sourceType());
            try (Connector connector = connect(spec, factory)) {
                plan(spec, factory, connector);
            }
            return List.of();
        } catch (InvalidSpecException e) {
            return e.errors();
        } catch (HubException e) {
            return List.of(new FieldError("source", e.getMessage()));
        }
    }

    private Connector connect(SourceSpec spec, ConnectorFactory factory) {
        List<FieldError> errors = new ArrayList<>(factory.validate(spec.connectionParams()));
        if (spec.syncMode() == SyncMode.LOAD && !factory.capabilities().contains(Capability.BULK_LOAD)) {
            errors.add(new FieldError("sync_mode", "a " + factory.type() + " source cannot load; use another sync_mode"));
        }
        if (spec.syncMode() == SyncMode.CDC && !factory.capabilities().contains(Capability.CHANGE_FEED)) {
            errors.add(new FieldError("sync_mode", "CDC is not available for " + factory.type()
                    + " sources in this version (postgresql has it); use LOAD or NONE"));
        }
        if (spec.syncMode() == SyncMode.CDC) {
            for (String region : spec.targetRegions()) {
                if (spec.binding(region).query() != null) {
                    errors.add(new FieldError("bindings." + region + ".query", "CDC follows tables; bind a table, not a query"));
                }
            }
        }
        if (spec.syncMode() == SyncMode.STREAM) {
            errors.add(new FieldError("sync_mode", "STREAM is not available for " + factory.type() + " sources; use LOAD, CDC or NONE"));
        }
        for (String region : spec.targetRegions()) {
            BindingSpec b = spec.binding(region);
            if (b.schedule() != null) {
                try {
                    Schedules.parse("bindings." + region + ".schedule", b.schedule());
                } catch (InvalidSpecException e) {
                    errors.addAll(e.errors());
                }
            }
        }
        if (spec.maxStalenessSeconds() != null && spec.syncMode() == SyncMode.LOAD && spec.syncIntervalSeconds() != null
                && spec.syncIntervalSeconds() > spec.maxStalenessSeconds()) {
            errors.add(new FieldError("max_staleness_seconds", "is " + spec.maxStalenessSeconds() + " s, but loads run only every "
                    + spec.syncIntervalSeconds() + " s (sync_interval_seconds), so the bound would always be broken"));
        }
        if (spec.fallbackSource() != null) {
            String fb = registry.get(KIND, spec.fallbackSource());
            if (fb == null) {
                errors.add(new FieldError("fallback_source", "source '" + spec.fallbackSource() + "' does not exist; register it first"));
            } else {
                SourceSpec f = read(fb);
                for (String region : spec.targetRegions()) {
                    if (f.targetRegions().stream().noneMatch(t -> t.equalsIgnoreCase(region))) {
                        errors.add(new FieldError("fallback_source", "source '" + f.sourceName() + "' does not feed region '" + region
                                + "'; a fallback must serve every region of its primary"));
                    }
                }
            }
        }
        for (int i = 0; i < spec.targetRegions().size(); i++) {
            String name = spec.targetRegions().get(i);
            try {
                Region r = regions.get(name);
                CacheStrategy strategy = r.spec().cacheStrategy();
                Capability needed = switch (strategy) {
                    case READ_THROUGH, REFRESH_AHEAD -> Capability.READ_THROUGH;
                    case WRITE_THROUGH -> Capability.WRITE_THROUGH;
                    case WRITE_BEHIND -> Capability.WRITE_BEHIND;
                    case NONE -> null;
                };
                if (needed != null && !factory.capabilities().contains(needed)) {
                    errors.add(new FieldError("target_regions[" + i + "]", "region '" + name + "' uses " + strategy
                            + ", which a " + factory.type() + " source cannot serve"));
                }
                if ((strategy == CacheStrategy.WRITE_BEHIND || strategy == CacheStrategy.WRITE_THROUGH) && spec.binding(name).query() != null) {
                    errors.add(new FieldError("bindings." + name + ".query", "region '" + name + "' uses " + strategy
                            + ", but a query binding cannot take writes; bind a table instead"));
                }
                if (strategy == CacheStrategy.WRITE_BEHIND && spec.consistencyLevel() == io.dih.api.ConsistencyLevel.STRONG) {
                    errors.add(new FieldError("consistency_level", "STRONG means a write commits only once the source has it, but region '"
                            + name + "' uses WRITE_BEHIND, which acknowledges writes before; use a WRITE_THROUGH region, or "
                            + "EVENTUAL, SESSION or BOUNDED_STALENESS"));
                }
            } catch (NotFoundException e) {
                errors.add(new FieldError("target_regions[" + i + "]", "region '" + name + "' does not exist; create it first"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        try {
            return factory.create(spec.sourceName(), spec.connectionParams(), context);
        } catch (UnavailableException e) {
            throw new InvalidSpecException("connection_params.host", e.getMessage());
        }
    }

    /** Whether every value of a source type converts to a region type without loss or failure. */
    static boolean fits(SqlType from, SqlType to) {
        if (from == to || to == SqlType.VARCHAR) {
            return true;
        }
        List<SqlType> ints = List.of(SqlType.TINYINT, SqlType.SMALLINT, SqlType.INT, SqlType.BIGINT);
        if (ints.contains(from) && ints.contains(to)) {
            return ints.indexOf(from) <= ints.indexOf(to);
        }
        if (ints.contains(from) || from == SqlType.REAL || from == SqlType.DOUBLE) {
            return to == SqlType.DECIMAL || to == SqlType.DOUBLE || (from == SqlType.REAL && to == SqlType.DOUBLE)
                    || (ints.contains(from) && ints.indexOf(from) <= 2 && to == SqlType.DOUBLE);
        }
        return from == SqlType.DATE && to == SqlType.TIMESTAMP;
    }

    /** How one region is fed: region column to source column, and the columns the region must gain. */
    record Plan(SourceTable table, Map<String, String> columnMap, Map<String, SqlType> newColumns) {
    }

    private Map<String, Plan> plan(SourceSpec spec, ConnectorFactory factory, Connector connector) {
        Map<String, Plan> plans = new LinkedHashMap<>();
        List<FieldError> errors = new ArrayList<>();
        for (String regionName : spec.targetRegions()) {
            String prefix = "bindings." + regionName + ".";
            BindingSpec binding = spec.binding(regionName);
            SourceTable table;
            try {
                table = connector.describe(binding);
            } catch (InvalidSpecException e) {
                e.errors().forEach(fe -> errors.add(new FieldError(prefix + fe.field(), fe.message())));
                continue;
            } catch (UnavailableException e) {
                throw new InvalidSpecException("connection_params.host", e.getMessage());
            }
            Region region = regions.get(regionName);
            List<String> regionKey = region.spec().keyFields();
            if (regionKey.size() != table.primaryKey().size()) {
                errors.add(new FieldError(prefix + "key_columns", "region '" + regionName + "' has the key " + regionKey
                        + " but the source's key is " + table.primaryKey() + "; name matching key_columns"));
                continue;
            }
            Map<String, String> map = new LinkedHashMap<>();
            for (int i = 0; i < regionKey.size(); i++) {
                String explicit = binding.mapping() == null ? null : binding.mapping().get(regionKey.get(i));
                map.put(regionKey.get(i), explicit != null ? explicit : table.primaryKey().get(i));
            }
            Set<String> mappedSources = new HashSet<>(map.values());
            Map<String, SqlType> newColumns = new LinkedHashMap<>();
            Map<String, SqlType> regionColumns = region.columns();
            Set<String> regionUpper = new HashSet<>();
            regionColumns.keySet().forEach(c -> regionUpper.add(c.toUpperCase(Locale.ROOT)));
            for (String col : regionColumns.keySet()) {
                if (!map.containsKey(col)) {
                    String src = binding.sourceColumn(col);
                    if (table.columns().containsKey(src)) {
                        map.put(col, src);
                        mappedSources.add(src);
                    }
                }
            }
            for (Map.Entry<String, String> m : map.entrySet()) {
                SqlType from = table.columns().get(m.getValue());
                SqlType to = region.columns().get(m.getKey());
                if (from != null && to != null && !fits(from, to)) {
                    errors.add(new FieldError(prefix + "mapping." + m.getKey(), "source column '" + m.getValue() + "' is " + from
                            + " but region column '" + m.getKey() + "' is " + to + "; its values would not fit"));
                }
            }
            for (Map.Entry<String, SqlType> c : table.columns().entrySet()) {
                if (mappedSources.contains(c.getKey())) {
                    continue;
                }
                String target = c.getKey().toLowerCase(Locale.ROOT);
                if (io.dih.api.Names.problem(target) != null || regionUpper.contains(target.toUpperCase(Locale.ROOT))) {
                    continue; // not a usable SQL name, or the region already has a column of that name for something else
                }
                newColumns.put(target, c.getValue());
                map.put(target, c.getKey());
            }
            plans.put(region.name(), new Plan(table, map, newColumns));
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return plans;
    }

    public List<SourceSpec> list() {
        List<SourceSpec> out = new ArrayList<>();
        for (String json : registry.list(KIND).values()) {
            SourceSpec s = read(json);
            out.add(s.redacted(secrets(s)));
        }
        return out;
    }

    public SourceSpec get(String name) {
        SourceSpec s = spec(name);
        return s.redacted(secrets(s));
    }

    private Set<String> secrets(SourceSpec s) {
        try {
            return connectors.factory(s.sourceType()).secretKeys();
        } catch (InvalidSpecException e) {
            return Set.of("password", "secret_key", "token");
        }
    }

    private SourceSpec spec(String name) {
        String json = registry.get(KIND, name);
        if (json == null) {
            throw new NotFoundException("source '" + name + "' does not exist");
        }
        return read(json);
    }

    /** Unregisters a source. Its regions keep their data; loads in flight stop at their next row. */
    public void delete(String name) {
        delete(name, false);
    }

    /**
     * Unregisters a source. Refused while writes to it are pending in a write-behind queue, unless
     * {@code discardPending}: then they stay queued and go to whichever source is bound to the region next.
     */
    public void delete(String name, boolean discardPending) {
        String json = registry.get(KIND, name);
        if (json == null) {
            throw new NotFoundException("source '" + name + "' does not exist");
        }
        SourceSpec s = read(json);
        io.dih.server.sync.SyncEngine engine = sync;
        if (!discardPending && engine != null) {
            for (String region : s.targetRegions()) { // writes waiting for this source

                try {
                    Region r = regions.get(region);
                    if (r.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND
                            && boundSource(r).filter(b -> b.sourceName().equalsIgnoreCase(s.sourceName())).isPresent()) {
                        long pending = engine.queue().depth(r).pending();
                        if (pending > 0) {
                            throw new ConflictException(pending + " writes to region '" + r.name() + "' are still waiting to reach source '"
                                    + s.sourceName() + "'; wait for them (GET .../status) or delete with ?discard_pending=true");
                        }
                    }
                } catch (NotFoundException ignored) {
                    // the region is gone: nothing pending for it
                }
            }
        }
        for (String other : registry.list(KIND).values()) {
            SourceSpec o = read(other);
            if (o.fallbackSource() != null && o.fallbackSource().equalsIgnoreCase(s.sourceName())) {
                throw new ConflictException("source '" + s.sourceName() + "' is the fallback of '" + o.sourceName() + "'; delete that one first");
            }
        }
        if (!registry.remove(KIND, name, json)) {
            throw new ConflictException("source '" + name + "' changed while it was being deleted; try again");
        }
        for (String region : s.targetRegions()) {
            states.remove(stateKey(s.sourceName(), region));
        }
        if (s.syncMode() == SyncMode.CDC && engine != null) {
            engine.stopCdc(s.sourceName());
            try {
                connector(s).dropChangeFeed(feedName(s.sourceName()));
            } catch (RuntimeException e) {
                LOG.warn("Source {} is deleted, but its change feed could not be dropped from the database: {}", s.sourceName(), e.getMessage());
            }
        }
        onRegistryChange(Registry.key(KIND, name), null);
        LOG.info("Deleted source {}", s.sourceName());
    }

    public SourceStatus status(String name) {
        SourceSpec s = spec(name);
        long now = System.currentTimeMillis();
        Map<String, SourceStatus.RegionLoad> perRegion = new LinkedHashMap<>();
        String overall = "IDLE";
        io.dih.server.sync.SyncEngine engine = sync;
        io.dih.server.sync.SyncEngine.CdcStatus cdc = s.syncMode() == SyncMode.CDC && engine != null ? engine.cdcStatus(s.sourceName()) : null;
        for (String region : s.targetRegions()) {
            LoadState st = states.get(stateKey(s.sourceName(), region));
            if (st == null) {
                st = LoadState.initial();
            }
            SourceStatus.RegionLoad load;
            if (cdc != null && !st.queued() && !"LOADING".equals(st.state)) { // unless a load asked for by a sync runs
                io.dih.server.sync.SyncEngine.CdcRegion applied = engine.cdcRegion(s.sourceName(), region);
                load = SourceStatus.RegionLoad.cdc(cdc.state(), applied.snapshotRows(), applied.events(), cdc.error());
            } else {
                load = st.toStatus(now);
            }
            if (engine != null) {
                try {
                    Region r = regions.get(region);
                    Object wb = r.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND ? engine.writeBehindStatus(r) : null;
                    Object ra = null;
                    if (r.spec().cacheStrategy() == CacheStrategy.REFRESH_AHEAD) {
                        io.dih.server.sync.RefreshAhead.Counters c = engine.refreshAhead().counters(r.name());
                        ra = Map.of("refreshes", c.refreshes(), "failures", c.failures(), "misses_avoided", c.missesAvoided(),
                                "deferred", c.deferred(), "node", ignite.name() == null ? "" : ignite.name());
                    }
                    load = load.withSync(wb, ra);
                } catch (NotFoundException ignored) {
                    // region deleted meanwhile
                }
            }
            perRegion.put(region, load);
            if ("FAILED".equals(st.state)) {
                overall = "FAILED";
            } else if (("LOADING".equals(st.state) || st.queued()) && !"FAILED".equals(overall)) {
                overall = "LOADING";
            }
        }
        SourceStatus.Staleness staleness = staleness(s, now);
        if (staleness != null && staleness.degraded()) {
            overall = "DEGRADED";
        }
        ReadCounters rc = readCounters.get(s.sourceName().toLowerCase(Locale.ROOT));
        SourceStatus.ReadThrough reads = rc == null ? null
                : new SourceStatus.ReadThrough(rc.reads.get(), rc.timeouts.get(), rc.fallbacks.get());
        if (cdc != null) {
            if ("RETRYING".equals(cdc.state()) && !"DEGRADED".equals(overall)) {
                overall = "RETRYING";
            } else if ("IDLE".equals(overall)) {
                overall = cdc.state();
            }
        }
        return new SourceStatus(s.sourceName(), s.syncMode().name(), overall, perRegion, reads,
                s.consistencyLevel() == null ? null : s.consistencyLevel().name(), staleness, cdc);
    }

    /** The lag of a BOUNDED_STALENESS source against its bound, or {@code null} for other levels. */
    private SourceStatus.Staleness staleness(SourceSpec s, long now) {
        if (s.consistencyLevel() != io.dih.api.ConsistencyLevel.BOUNDED_STALENESS || s.maxStalenessSeconds() == null) {
            return null;
        }
        long lag = 0;
        String cause = null;
        io.dih.server.sync.SyncEngine engine = sync;
        for (String region : s.targetRegions()) {
            if (s.syncMode() == SyncMode.LOAD) {
                LoadState st = states.get(stateKey(s.sourceName(), region));
                long l = st == null ? 0 : st.lagMillis(now);
                if (l > lag) {
                    lag = l;
                    cause = "region '" + region + "' was last loaded from the source " + l / 1000 + " s ago";
                }
            }
            if (engine != null) {
                try {
                    Region r = regions.get(region);
                    if (r.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND
                            && boundSource(r).filter(b -> b.sourceName().equalsIgnoreCase(s.sourceName())).isPresent()) {
                        io.dih.server.sync.WriteBehindQueue.Depth d = engine.queue().depth(r);
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
        }
        boolean degraded = lag > s.maxStalenessSeconds() * 1000;
        return new SourceStatus.Staleness(s.maxStalenessSeconds(), lag / 1000.0, degraded, degraded ? cause : null);
    }

    /** The BOUNDED_STALENESS sources past their bound, with why: what {@code /health} reports as degraded. */
    public Map<String, String> degraded() {
        Map<String, String> out = new java.util.TreeMap<>();
        long now = System.currentTimeMillis();
        for (String json : registry.list(KIND).values()) {
            SourceSpec s = read(json);
            try {
                SourceStatus.Staleness st = staleness(s, now);
                if (st != null && st.degraded()) {
                    out.put(s.sourceName(), st.cause());
                }
            } catch (RuntimeException e) {
                LOG.debug("Cannot measure the staleness of {}: {}", s.sourceName(), e.getMessage());
            }
        }
        return out;
    }

    /** Starts a load of every target region now (full, or incremental past the watermark when there is one). */
    public SourceStatus sync(String name, boolean full) {
        SourceSpec s = spec(name);
        if (s.syncMode() == SyncMode.NONE) {
            throw new InvalidSpecException("sync_mode", "source '" + s.sourceName() + "' has sync_mode NONE: it stores only, nothing to load");
        }
        long now = System.currentTimeMillis();
        String nodeId = ignite.cluster().localNode().id().toString();
        for (String region : s.targetRegions()) {
            String key = stateKey(s.sourceName(), region);
            LoadState st = states.get(key);
            if (st != null && !loadLock(s.sourceName(), region).isLocked()) { // a running load answers for itself
                boolean fullLoad = full || s.binding(region).watermarkColumn() == null || st.watermark == null;
                states.put(key, st.queued(fullLoad ? "full" : "incremental", now, nodeId));
            }
            submitLoad(s, region, full);
        }
        return status(name);
    }

    /** What {@link #control} does to a CDC source's engine. */
    public enum Control { PAUSE, RESUME, RESTART }

    /**
     * Pauses, resumes or restarts a CDC source's engine. A paused engine stops reading (its replication slot or binlog
     * position holds the changes meanwhile) and stays paused across restarts of the hub; resume and restart go on from
     * the stored offsets, so nothing is lost or applied twice.
     */
    public SourceStatus control(String name, Control what) {
        SourceSpec s = spec(name);
        if (s.syncMode() != SyncMode.CDC) {
            throw new ConflictException("source '" + s.sourceName() + "' has sync_mode " + s.syncMode() + "; only CDC sources can be "
                    + what.name().toLowerCase(Locale.ROOT) + "d");
        }
        io.dih.server.sync.SyncEngine engine = requireNonNull(sync, "the sync engine is not attached");
        switch (what) {
            case PAUSE -> engine.pauseCdc(s.sourceName());
            case RESUME -> engine.resumeCdc(s.sourceName());
            case RESTART -> engine.restartCdc(s.sourceName());
            default -> throw new IllegalStateException(what.name());
        }
        LOG.info("CDC of source {}: {}", s.sourceName(), what);
        return status(name);
    }

    private static String stateKey(String source, String region) {
        return source.toLowerCase(Locale.ROOT) + "/" + region.toLowerCase(Locale.ROOT);
    }

    private void submitLoad(SourceSpec spec, String region, boolean full) {
        loaders.submit(() -> {
            try {
                runLoad(spec, region, full);
            } catch (RuntimeException e) {
                if (closed) { // the node is stopping: the load is cut short, and the next node runs it again
                    LOG.debug("Load of {} into {} stopped with the node: {}", spec.sourceName(), region, e.getMessage());
                    return;
                }
                LOG.warn("Load of {} into {} failed: {}", spec.sourceName(), region, e.getMessage());
            }
        });
    }

    /** The oldest server node starts the loads that are due; every node checks once a second. */
    private void tick() {
        if (closed || !ignite.cluster().state().active()) {
            return;
        }
        try {
            if (!ignite.cluster().forServers().forOldest().node().isLocal()) {
                return;
            }
            long now = System.currentTimeMillis();
            for (String json : registry.list(KIND).values()) {
                SourceSpec s = read(json);
                if (s.syncMode() != SyncMode.LOAD) {
                    continue;
                }
                for (String region : s.targetRegions()) {
                    BindingSpec b = s.binding(region);
                    LoadState st = states.get(stateKey(s.sourceName(), region));
                    if (st == null || ("LOADING".equals(st.state) && loadLock(s.sourceName(), region).isLocked())) {
                        continue; // a load is running; a LOADING state without its lock is a load whose node died
                    }
                    long last = Math.max(st.lastLoadedAtMillis, st.startedAtMillis);
                    // its loader died, or the node that queued it left: run it again (at-least-once)
                    boolean orphaned = "LOADING".equals(st.state) || st.queued() && !alive(st.queuedOn);
                    // BOUNDED_STALENESS: reload once the data is 3/4 of the bound old, so the bound holds while the source
                    // is up (and the status turns DEGRADED when it cannot); a failed catch-up is retried every few seconds
                    boolean catchUp = s.maxStalenessSeconds() != null && s.consistencyLevel() == io.dih.api.ConsistencyLevel.BOUNDED_STALENESS
                            && st.lagMillis(now) >= s.maxStalenessSeconds() * 750 && now - st.startedAtMillis >= Math.min(5000, s.maxStalenessSeconds() * 500);
                    boolean due = orphaned || catchUp || (b.schedule() != null
                            ? Schedules.due(schedules.computeIfAbsent(b.schedule(), e -> Schedules.parse("schedule", e)), last, now)
                            : s.syncIntervalSeconds() != null && now - last >= s.syncIntervalSeconds() * 1000);
                    if (due) {
                        submitLoad(s, region, orphaned ? "full".equals(st.kind) : b.watermarkColumn() == null);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Load schedule check failed: {}", e.getMessage());
        }
    }

    private boolean alive(String nodeId) {
        try {
            return nodeId != null && ignite.cluster().node(UUID.fromString(nodeId)) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Connector connector(SourceSpec spec) {
        return live.computeIfAbsent(spec.sourceName().toLowerCase(Locale.ROOT), k -> new Live(write(spec),
                connectors.factory(spec.sourceType()).create(spec.sourceName(), spec.connectionParams(), context))).connector();
    }

    /** One load of one binding, under a cluster-wide lock so two nodes never load the same binding at once. */
    void runLoad(SourceSpec spec, String regionName, boolean fullRequested) {
        String key = stateKey(spec.sourceName(), regionName);
        IgniteLock lock = loadLock(spec.sourceName(), regionName);
        if (!lock.tryLock()) {
            return; // another node is loading this binding right now
        }
        LoadState st = states.get(key);
        long rows = 0;
        try {
            if (st == null || registry.get(KIND, spec.sourceName()) == null) {
                return; // deleted meanwhile
            }
            BindingSpec binding = spec.binding(regionName);
            boolean full = fullRequested || binding.watermarkColumn() == null || st.watermark == null;
            Object after = full ? null : st.watermark;
            Connector connector = connector(spec);
            Region region = regions.get(regionName);
            Plan plan = plan(spec, connectors.factory(spec.sourceType()), connector).get(region.name());
            if (!plan.newColumns().isEmpty()) {
                regions.addColumns(region.name(), spec.sourceName(), plan.newColumns());
                region = regions.get(regionName);
            }
            long total = connector.count(binding, after).orElse(-1);
            st = st.started(full ? "full" : "incremental", total, System.currentTimeMillis());
            states.put(key, st);
            boolean wasEmpty = region.cache().sizeLong() == 0;
            io.dih.server.sync.SyncEngine engine = sync;
            // a WRITE_BEHIND key with a write on its way to the source keeps it (one local lookup per row)
            boolean checkPending = engine != null && region.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND;
            Set<Object> seen = full && !wasEmpty ? new HashSet<>() : null; // an empty region has nothing stale to remove
            long[] count = {0};
            LoadState progressBase = st;
            Region target = region;
            Object watermark;
            try (IgniteDataStreamer<Object, Object> streamer = ignite.dataStreamer(region.name())) {
                // Into an empty region the streamer writes partitions directly (fast); over existing entries it must go
                // through the cache API to overwrite them, which on TRANSACTIONAL regions is several times slower.
                // A journaled region needs every row as a change event, which only the cache API raises.
                streamer.allowOverwrite(!wasEmpty || journaled.test(region.name()));
                streamer.skipStore(true); // rows come from the source: never echo them back to it
                streamer.keepBinary(true);
                Map<String, Object> regionRow = new HashMap<>();
                watermark = connector.load(binding, after, row -> {
                    if (count[0] % PROGRESS_EVERY == 0 && (closed || registry.get(KIND, spec.sourceName()) == null)) {
                        throw new IllegalStateException("the source was deleted or the node is stopping");
                    }
                    regionRow.clear();
                    plan.columnMap().forEach((regionCol, sourceCol) -> regionRow.put(regionCol, row.get(sourceCol)));
                    Object k;
                    Object v;
                    try {
                        k = EntryCodec.keyOf(target, ignite.binary(), regionRow);
                        v = EntryCodec.valueOf(target, ignite.binary(), regionRow);
                    } catch (InvalidSpecException e) {
                        throw new IllegalStateException("a row of " + spec.sourceName() + " does not fit region '" + target.name()
                                + "': " + e.getMessage() + " [row key=" + keyText(target, plan, row) + "]");
                    }
                    if (!checkPending || !hasPendingWrite(target, k)) {
                        streamer.addData(k, v); // a key with a pending write keeps it: the source will get it shortly
                    }
                    if (seen != null) {
                        seen.add(k);
                    }
                    if (++count[0] % PROGRESS_EVERY == 0) {
                        states.put(key, progressBase.progress(count[0]));
                    }
                });
            }
            rows = count[0];
            long removed = seen != null ? removeMissing(region, seen) : 0;
            states.put(key, st.finished(rows, removed, watermark == null ? st.watermark : watermark, System.currentTimeMillis()));
            bulkChanged(region.name());
            LOG.info("Loaded {} rows of {} into {} ({}{})", rows, spec.sourceName(), region.name(), full ? "full" : "incremental",
                    removed > 0 ? ", " + removed + " removed" : "");
        } catch (RuntimeException e) {
            bulkChanged(regionName); // a failed load may have streamed part of its rows
            if (st != null && registry.get(KIND, spec.sourceName()) != null) {
                states.put(key, st.failed(rows, e.getMessage()));
            }
            throw e;
        } finally {
            lock.unlock();
        }
    }

    public RegionService regions() {
        return regions;
    }

    /**
     * Installs the listener told, on the node that did it, when a region changed in bulk where continuous queries may
     * not see every row: a load (its data streamer) finished or failed, or a CDC truncate cleared the region.
     */
    public void onBulkChange(java.util.function.Consumer<String> listener) {
        this.bulkChanges = requireNonNull(listener, "listener is null");
    }

    /**
     * Installs the test of whether a region has a change journal (its loads then write through the cache API, so every
     * row raises a change event), and the listener told when a region was cleared without events (a CDC truncate).
     */
    public void journaling(java.util.function.Predicate<String> journaled, java.util.function.BiConsumer<String, String> cleared) {
        this.journaled = requireNonNull(journaled, "journaled is null");
        this.clearedListener = requireNonNull(cleared, "cleared is null");
    }

    private void cleared(String region, String why) {
        try {
            clearedListener.accept(region, why);
        } catch (RuntimeException e) {
            LOG.warn("Telling of the clearing of region {} failed: {}", region, e.toString());
        }
    }

    private void bulkChanged(String region) {
        try {
            bulkChanges.accept(region);
        } catch (RuntimeException e) {
            LOG.warn("Telling of the bulk change of region {} failed: {}", region, e.toString());
        }
    }

    /** Node-local key under which the hub's cache stores find this service. */
    public static final String NODE_LOCAL_KEY = "dih.sources";

    private java.util.Optional<Bound> boundTo(Region region) {
        String key = region.name().toLowerCase(Locale.ROOT);
        java.util.Optional<Bound> b = bound.get(key);
        if (b == null) { // computed outside the map: binding asks the source, and the registry listener clears the map
            b = primaryFor(region).map(s -> bind(s, region));
            bound.put(key, b);
        }
        return b;
    }

    /** Each region's primary source, as the registry says (no connection needed); dropped on any change. */
    private final Map<String, java.util.Optional<SourceSpec>> primaries = new ConcurrentHashMap<>();

    private java.util.Optional<SourceSpec> primaryFor(Region region) {
        String key = region.name().toLowerCase(Locale.ROOT);
        java.util.Optional<SourceSpec> known = primaries.get(key);
        if (known != null) {
            return known;
        }
        java.util.Optional<SourceSpec> found = findPrimary(region);
        primaries.put(key, found);
        return found;
    }

    private java.util.Optional<SourceSpec> findPrimary(Region region) {
        {
            List<SourceSpec> feeding = new ArrayList<>();
            for (String json : registry.list(KIND).values()) {
                SourceSpec s = read(json);
                if (s.targetRegions().stream().anyMatch(t -> t.equalsIgnoreCase(region.name()))) {
                    feeding.add(s);
                }
            }
            // the primary: a source feeding the region that no other feeding source names as its fallback
            Set<String> fallbacks = new HashSet<>();
            feeding.forEach(s -> {
                if (s.fallbackSource() != null) {
                    fallbacks.add(s.fallbackSource().toLowerCase(Locale.ROOT));
                }
            });
            for (SourceSpec s : feeding) {
                if (!fallbacks.contains(s.sourceName().toLowerCase(Locale.ROOT))) {
                    return java.util.Optional.of(s);
                }
            }
            return feeding.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(feeding.get(0));
        }
    }

    /** The name of a source's change feed (its replication slot and publication). */
    static String feedName(String source) {
        return "dih_" + source.toLowerCase(Locale.ROOT);
    }

    /** Every registered CDC source, by name. */
    public List<String> cdcSources() {
        List<String> out = new ArrayList<>();
        for (String json : registry.list(KIND).values()) {
            SourceSpec s = read(json);
            if (s.syncMode() == SyncMode.CDC) {
                out.add(s.sourceName());
            }
        }
        return out;
    }

    /** A CDC source's spec, or {@code null} once it is deleted (or is not CDC). */
    public SourceSpec cdcSpec(String name) {
        String json = registry.get(KIND, name);
        SourceSpec s = json == null ? null : read(json);
        return s != null && s.syncMode() == SyncMode.CDC ? s : null;
    }

    /** A new change feed of a CDC source's bindings (tables). */
    public io.dih.spi.ChangeFeed changeFeed(SourceSpec spec, io.dih.spi.OffsetStore offsets, io.dih.spi.ChangeSink sink) {
        List<BindingSpec> bindings = new ArrayList<>();
        spec.targetRegions().forEach(r -> bindings.add(spec.binding(r)));
        cdcTargets.remove(spec.sourceName().toLowerCase(Locale.ROOT));
        return connector(spec).changeFeed(feedName(spec.sourceName()), bindings, offsets, sink);
    }

    /**
     * The region's binding for a read or write. Binding asks the source for its table's shape; when that fails at call
     * time (the source is down), it is an outage to retry, never a refusal of the data.
     */
    private java.util.Optional<Bound> boundForCall(Region region) {
        try {
            return boundTo(region);
        } catch (InvalidSpecException e) {
            throw new UnavailableException("the source of region '" + region.name() + "' cannot be bound now: " + e.getMessage(), null);
        }
    }

    /** Where a CDC source's table goes: its region and how columns map. */
    private record CdcTarget(Region region, Plan plan, Set<String> sourceColumns) {
    }

    /** Per CDC source: table name (lower case) to target; dropped when the feed restarts or a column appears. */
    private final Map<String, Map<String, CdcTarget>> cdcTargets = new ConcurrentHashMap<>();

    private Map<String, CdcTarget> cdcTargets(SourceSpec spec, boolean replan) {
        String key = spec.sourceName().toLowerCase(Locale.ROOT);
        if (replan) {
            cdcTargets.remove(key);
        }
        // computed outside the map: it may add region columns (a registry write), and the registry listener that
        // clears this map must never wait for it
        Map<String, CdcTarget> known = cdcTargets.get(key);
        if (known != null) {
            return known;
        }
        Map<String, Plan> plans = plan(spec, connectors.factory(spec.sourceType()), connector(spec));
        Map<String, CdcTarget> out = new HashMap<>();
        plans.forEach((regionName, p) -> {
            if (!p.newColumns().isEmpty()) {
                regions.addColumns(regionName, spec.sourceName(), p.newColumns()); // a column added in the database mid-stream
            }
            out.put(p.table().name().toLowerCase(Locale.ROOT),
                    new CdcTarget(regions.get(regionName), p, new HashSet<>(p.columnMap().values())));
        });
        cdcTargets.put(key, out);
        return out;
    }

    /**
     * Applies a batch of changes of a CDC source to its regions, in order, bypassing the regions' stores (nothing goes
     * back to the database). Each key remembers the source position of its last change, so a change delivered again
     * or late never overwrites a newer one; keys with a write-behind write pending keep it. Changes of tables no
     * binding names are ignored.
     *
     * @return how many changes were skipped as stale, and how many rows and changes each region got
     */
    public AppliedChanges applyChanges(String sourceName, List<io.dih.spi.ChangeEvent> events) {
        SourceSpec spec = spec(sourceName);
        io.dih.server.sync.SyncEngine engine = requireNonNull(sync, "the sync engine is not attached");
        Map<String, CdcTarget> targets = cdcTargets(spec, false);
        for (io.dih.spi.ChangeEvent e : events) {
            CdcTarget t = targets.get(e.table().toLowerCase(Locale.ROOT));
            if (t != null && e.row() != null && !t.sourceColumns().containsAll(e.row().keySet())) {
                targets = cdcTargets(spec, true); // the table has a new column: the region gets it too
                break;
            }
        }
        IgniteCache<String, long[]> positions = engine.cdcPositions();
        AppliedChanges applied = new AppliedChanges();
        int i = 0;
        while (i < events.size()) {
            io.dih.spi.ChangeEvent first = events.get(i);
            if (first.kind() == io.dih.spi.ChangeEvent.Kind.TRUNCATE) {
                CdcTarget t = targets.get(first.table().toLowerCase(Locale.ROOT));
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
            while (end < events.size() && end - i < 256 && events.get(end).kind() != io.dih.spi.ChangeEvent.Kind.TRUNCATE) {
                end++;
            }
            // a timeout, so a lock cycle with a concurrent writer fails (and the batch comes again) instead of hanging
            try (org.apache.ignite.transactions.Transaction tx = ignite.transactions().txStart(
                    org.apache.ignite.transactions.TransactionConcurrency.PESSIMISTIC,
                    org.apache.ignite.transactions.TransactionIsolation.REPEATABLE_READ, 30_000, end - i)) {
                AppliedChanges batch = new AppliedChanges(); // counted once its transaction commits
                applyBatch(spec.sourceName(), events.subList(i, end), targets, positions, batch);
                tx.commit();
                applied.add(batch);
            }
            i = end;
        }
        return applied;
    }

    /** A removal in {@link #applyBatch}'s per-key outcome. */
    private static final Object REMOVED = new Object();

    /**
     * Applies changes (no truncate among them) inside the caller's transaction with a few bulk cache calls: the keys'
     * last positions are read (and locked) at once, each change is checked against the newest position seen so far,
     * the last outcome per key is written with one putAll/removeAll per region, and the new positions with one putAll.
     * Keys are taken in {@link io.dih.server.region.KeyOrder}, as every multi-key write of the hub takes them.
     *
     * Counts into {@code applied} the stale changes (delivered again, or older than what the region has) and, per
     * region, the rows and changes that went in.
     */
    private void applyBatch(String sourceName, List<io.dih.spi.ChangeEvent> batch, Map<String, CdcTarget> targets,
                            IgniteCache<String, long[]> positions, AppliedChanges applied) {
        record Item(io.dih.spi.ChangeEvent event, CdcTarget target, Object key, String posKey) {
        }
        List<Item> items = new ArrayList<>(batch.size());
        java.util.TreeSet<String> posKeys = new java.util.TreeSet<>();
        for (io.dih.spi.ChangeEvent e : batch) {
            CdcTarget t = targets.get(e.table().toLowerCase(Locale.ROOT));
            if (t == null) {
                continue; // a table no binding names
            }
            Region region = t.region();
            Map<String, Object> source = e.row() != null ? e.row() : e.key();
            Map<String, Object> keyRow = new HashMap<>();
            for (String col : region.spec().keyFields()) {
                keyRow.put(col, source.get(t.plan().columnMap().get(col)));
            }
            Object k = EntryCodec.keyOf(region, ignite.binary(), keyRow);
            String posKey = io.dih.server.sync.SyncEngine.positionKey(sourceName, region.name(), EntryCodec.keyText(region, k));
            items.add(new Item(e, t, k, posKey));
            posKeys.add(posKey);
        }
        Map<String, long[]> newest = new HashMap<>(positions.getAll(posKeys));
        Map<String, long[]> changed = new java.util.TreeMap<>();
        Map<String, Map<Object, Object>> outcome = new LinkedHashMap<>(); // region → key → value or REMOVED
        Map<String, Region> byName = new HashMap<>();
        for (Item it : items) {
            io.dih.spi.ChangeEvent e = it.event();
            long[] last = newest.get(it.posKey());
            if (last != null && !e.isAfter(last[0], last[1])) {
                applied.skipped();
                continue;
            }
            long[] position = {e.position(), e.sequence()};
            newest.put(it.posKey(), position);
            changed.put(it.posKey(), position);
            Region region = it.target().region();
            if (hasPendingWrite(region, it.key())) {
                Map<Object, Object> earlier = outcome.get(region.name());
                if (earlier != null) {
                    earlier.remove(it.key());
                }
                continue; // the hub's own newer write is on its way to the database
            }
            byName.putIfAbsent(region.name(), region);
            applied.applied(region.name(), e.snapshot());
            Object value = REMOVED;
            if (e.kind() == io.dih.spi.ChangeEvent.Kind.UPSERT) {
                Map<String, Object> regionRow = new HashMap<>();
                it.target().plan().columnMap().forEach((regionCol, sourceCol) -> regionRow.put(regionCol, e.row().get(sourceCol)));
                value = EntryCodec.valueOf(region, ignite.binary(), regionRow);
            }
            outcome.computeIfAbsent(region.name(), r -> new HashMap<>()).put(it.key(), value);
        }
        outcome.forEach((name, perKey) -> {
            Map<Object, Object> puts = new java.util.TreeMap<>(io.dih.server.region.KeyOrder.INSTANCE);
            java.util.Set<Object> removes = new java.util.TreeSet<>(io.dih.server.region.KeyOrder.INSTANCE);
            perKey.forEach((k, v) -> {
                if (v == REMOVED) {
                    removes.add(k);
                } else {
                    puts.put(k, v);
                }
            });
            IgniteCache<Object, Object> cache = byName.get(name).cache().withSkipStore();
            if (!puts.isEmpty()) {
                cache.putAll(puts);
            }
            if (!removes.isEmpty()) {
                cache.removeAll(removes);
            }
        });
        if (!changed.isEmpty()) {
            positions.putAll(changed);
        }
    }

    /** The source a region reads from and writes to (its primary), if any. */
    public java.util.Optional<SourceSpec> boundSource(Region region) {
        return primaryFor(region);
    }

    private Bound bind(SourceSpec s, Region region) {
        Plan p = plan(s, connectors.factory(s.sourceType()), connector(s)).get(region.name());
        return new Bound(s, s.binding(region.name()), p);
    }

    /** The source key (source column to value, in the source's types) of a region key. */
    private Map<String, Object> sourceKey(Region region, Plan plan, Object key) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> keyFields = region.spec().keyFields();
        for (String col : keyFields) {
            Object v = region.spec().simpleKey() ? key : ((org.apache.ignite.binary.BinaryObject) key).field(col);
            String src = plan.columnMap().get(col);
            out.put(src, ColumnValues.coerce(col, plan.table().columns().get(src), v));
        }
        return out;
    }

    /**
     * Read-through: the value of a region key from the region's source, or {@code null} when the source has no such
     * row or the region has no source.
     */
    public Object readThrough(Region region, Object key) {
        java.util.Optional<Bound> b = boundForCall(region);
        if (b.isEmpty()) {
            return null;
        }
        Bound primary = b.get();
        java.util.Optional<Map<String, Object>> row;
        Bound answered = primary;
        try {
            row = readWithTimeout(primary, region, key);
        } catch (UnavailableException e) {
            if (primary.spec().fallbackSource() == null) {
                throw e;
            }
            String fb = registry.get(KIND, primary.spec().fallbackSource());
            if (fb == null) {
                throw e;
            }
            answered = bind(read(fb), region);
            counter(primary.spec().sourceName()).fallbacks.incrementAndGet();
            LOG.debug("Read-through of {} fell back to {}: {}", region.name(), answered.spec().sourceName(), e.getMessage());
            row = readWithTimeout(answered, region, key);
        }
        if (row.isEmpty()) {
            return null;
        }
        Map<String, Object> regionRow = new HashMap<>();
        Map<String, Object> found = row.get();
        answered.plan().columnMap().forEach((regionCol, sourceCol) -> regionRow.put(regionCol, found.get(sourceCol)));
        return EntryCodec.valueOf(region, ignite.binary(), regionRow);
    }

    /** Read-through counters of one source on this node. */
    static final class ReadCounters {
        final java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong timeouts = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong fallbacks = new java.util.concurrent.atomic.AtomicLong();
    }

    private final Map<String, com.cronutils.model.time.ExecutionTime> schedules = new ConcurrentHashMap<>();
    private final Map<String, ReadCounters> readCounters = new ConcurrentHashMap<>();
    private final ExecutorService readers = Executors.newCachedThreadPool(daemon("dih-read-through"));

    private ReadCounters counter(String source) {
        return readCounters.computeIfAbsent(source.toLowerCase(Locale.ROOT), k -> new ReadCounters());
    }

    /** One source read, bounded by the source's {@code read_timeout_ms}; a timeout is an {@link UnavailableException}. */
    private java.util.Optional<Map<String, Object>> readWithTimeout(Bound b, Region region, Object key) {
        Connector c = connector(b.spec());
        Map<String, Object> sourceKey = sourceKey(region, b.plan(), key);
        counter(b.spec().sourceName()).reads.incrementAndGet();
        Long timeout = b.spec().readTimeoutMs();
        if (timeout == null) {
            return c.read(b.binding(), sourceKey);
        }
        java.util.concurrent.Future<java.util.Optional<Map<String, Object>>> f = readers.submit(() -> c.read(b.binding(), sourceKey));
        try {
            return f.get(timeout, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            f.cancel(true);
            counter(b.spec().sourceName()).timeouts.incrementAndGet();
            throw new UnavailableException("source '" + b.spec().sourceName() + "' did not answer within " + timeout + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new UnavailableException("source '" + b.spec().sourceName() + "' failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while reading from source '" + b.spec().sourceName() + "'");
        }
    }

    /**
     * Write-through: applies region writes and removals to the region's source in one source transaction. Throws
     * {@link io.dih.spi.SourceRejectedException} or {@link UnavailableException}; the caller's cache update then fails.
     *
     * @return what to run once the region has the writes too ({@link #NOTHING} when nothing): for a CDC source, noting
     *         where in the source's log the writes are, so their echoes never undo a newer write
     */
    public Runnable writeThrough(Region region, Map<Object, Object> upserts, java.util.Collection<?> removals) {
        java.util.Optional<Bound> b = boundForCall(region);
        if (b.isEmpty()) {
            return NOTHING;
        }
        Plan plan = b.get().plan();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<Object, Object> e : upserts.entrySet()) {
            Map<String, Object> row = sourceKey(region, plan, e.getKey());
            if (e.getValue() instanceof org.apache.ignite.binary.BinaryObject bo) {
                for (String col : region.valueColumns().keySet()) {
                    String src = plan.columnMap().get(col);
                    if (src != null && bo.hasField(col)) {
                        row.put(src, ColumnValues.coerce(col, plan.table().columns().get(src), bo.field(col)));
                    }
                }
            }
            rows.add(row);
        }
        List<Map<String, Object>> deletes = new ArrayList<>();
        for (Object k : removals) {
            deletes.add(sourceKey(region, plan, k));
        }
        long at = connector(b.get().spec()).writeAt(b.get().binding(), rows, deletes);
        io.dih.server.sync.SyncEngine engine = sync;
        if (at < 0 || engine == null || b.get().spec().syncMode() != SyncMode.CDC) {
            return NOTHING;
        }
        // the feed will bring these changes back: they must not undo a newer write made meanwhile
        List<Object> keys = new ArrayList<>(upserts.keySet());
        keys.addAll(removals);
        String source = b.get().spec().sourceName();
        return () -> engine.recordHubWrite(source, region, keys, at);
    }

    /** A {@link #writeThrough} with nothing to do afterwards. */
    public static final Runnable NOTHING = () -> { };

    /** The cluster-wide lock of one binding's loads; fail-over-safe, so a dead loader's lock is released. */
    private IgniteLock loadLock(String source, String region) {
        return ignite.reentrantLock("dih-load/" + stateKey(source, region), true, false, true);
    }

    private static String keyText(Region region, Plan plan, Map<String, Object> row) {
        List<String> parts = new ArrayList<>();
        for (String k : region.spec().keyFields()) {
            parts.add(String.valueOf(row.get(plan.columnMap().get(k))));
        }
        return String.join(",", parts);
    }

    /** After a full load: entries whose rows are gone from the source leave the region. */
    private long removeMissing(Region region, Set<Object> seen) {
        List<Object> stale = new ArrayList<>();
        try (QueryCursor<Cache.Entry<Object, Object>> cur = region.cache().query(new ScanQuery<>())) {
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

    /** Whether a key has a write on its way to the source (a load must not overwrite or remove it). */
    private boolean hasPendingWrite(Region region, Object key) {
        io.dih.server.sync.SyncEngine engine = sync;
        return engine != null && region.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND
                && engine.queue().pending(region, key).isPresent();
    }

    static String write(SourceSpec spec) {
        try {
            return Json.MAPPER.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize source spec", e);
        }
    }

    static SourceSpec read(String json) {
        try {
            return Json.MAPPER.readValue(json, SourceSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the registry holds an unreadable source spec: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
        loaders.shutdownNow();
        readers.shutdownNow();
        live.values().forEach(l -> l.connector().close());
        live.clear();
    }
}
