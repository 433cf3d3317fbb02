package io.dih.server.region;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dih.api.RegionDefaults;
import io.dih.api.Names;
import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import java.util.LinkedHashMap;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import io.dih.server.json.Json;
import io.dih.server.registry.Registry;
import io.dih.spi.ConflictException;
import io.dih.spi.NotFoundException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, finds and drops regions. The registry is the source of truth; this node keeps the parsed records of the
 * regions it has served, dropped again when the registry says they changed (a continuous query on every node).
 */
public final class RegionService {
    public static final String KIND = "region";
    private static final Logger LOG = LoggerFactory.getLogger(RegionService.class);

    private final Ignite ignite;
    private final Registry registry;
    private final RegionDefaults defaults;
    private final Map<String, Region> live = new ConcurrentHashMap<>();
    private volatile DataPath path = DataPath.NONE;
    private final List<java.util.function.Consumer<String>> deleteGuards = new java.util.concurrent.CopyOnWriteArrayList<>();

    public RegionService(Ignite ignite, Registry registry, RegionDefaults defaults) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.defaults = requireNonNull(defaults, "defaults is null");
    }

    /** Forgets what this node knows of the object behind a registry key; called by the registry listener. */
    public void onRegistryChange(String registryKey) {
        if (registryKey.startsWith(KIND + "/")) {
            live.remove(registryKey.substring(KIND.length() + 1));
        }
    }

    /** Connects the data path: write-behind queues made and dropped with their regions, deletes it still needs refused. */
    public void attach(DataPath dataPath) {
        this.path = requireNonNull(dataPath, "dataPath is null");
    }

    /**
     * Adds a check run before a region is deleted: it throws (a {@link ConflictException} naming what still needs the
     * region) to keep it.
     */
    public void guardDelete(java.util.function.Consumer<String> guard) {
        deleteGuards.add(requireNonNull(guard, "guard is null"));
    }

    public RegionDefaults defaults() {
        return defaults;
    }

    /**
     * The result of a create: the region's spec, its columns (a region already there may have more than its spec
     * says: sources add theirs) and whether this call created it (false: the same spec was there).
     */
    public record Created(RegionSpec spec, List<RegionColumn> columns, boolean created) {
    }

    /**
     * Registers and creates a region. The same spec again is a no-op; another spec under the same name (in any
     * letter case) is a {@link ConflictException}. A failure to create the cache leaves nothing registered.
     */
    public Created create(RegionSpec requested) {
        RegionSpec spec = requested.normalize(defaults);
        String stamp = Long.toString(Instant.now().toEpochMilli(), 36);
        String base = "dih_" + spec.name().toLowerCase(Locale.ROOT) + "_" + stamp;
        RegionRecord record = new RegionRecord(spec, base + "_value", base + "_key", Instant.now().toString());
        String json = write(record);
        // a foreign cache is looked for before the region is registered: once it is, another node reacting to the
        // registry may create the region's cache at any moment, which must not read as a foreign one
        if (registry.get(KIND, spec.name()) == null && ignite.cacheNames().contains(spec.name())) {
            throw new ConflictException("a cache named '" + spec.name() + "' already exists and was not created by the hub");
        }
        String existing = registry.putIfAbsent(KIND, spec.name(), json);
        if (existing != null) {
            RegionRecord current = read(existing);
            if (!current.spec().equals(spec)) {
                throw new ConflictException("region '" + current.spec().name() + "' already exists with a different spec; "
                        + "delete it first or send the same spec [region=" + spec.name() + "]");
            }
            ensureCache(current);
            return new Created(current.spec(), current.columnList(), false);
        }
        try {
            ensureCache(record);
        } catch (RuntimeException e) {
            registry.remove(KIND, spec.name(), json);
            throw e;
        }
        path.regionCreated(get(spec.name())); // e.g. the region's write queue, made with it
        LOG.info("Created region {} ({} {}, backups={})", spec.name(), spec.cacheMode(), spec.atomicityMode(), spec.backups());
        return new Created(spec, record.columnList(), true);
    }

    private void ensureCache(RegionRecord record) {
        ignite.getOrCreateCache(RegionCaches.configuration(record));
    }

    /** What a region that does not exist answers (also for another tenant's: the same words). */
    public static NotFoundException notFound(String name) {
        return new NotFoundException("region '" + name + "' does not exist");
    }

    public List<RegionSpec> list() {
        List<RegionSpec> out = new ArrayList<>();
        for (RegionRecord r : records()) {
            out.add(r.spec());
        }
        return out;
    }

    /** What the registry holds for every region: spec, columns and their origins. */
    public List<RegionRecord> records() {
        List<RegionRecord> out = new ArrayList<>();
        for (String json : registry.list(KIND).values()) {
            out.add(read(json));
        }
        return out;
    }

    /** The live region, or {@link NotFoundException}. */
    public Region get(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        Region r = live.get(key);
        if (r != null) {
            return r;
        }
        String json = registry.get(KIND, name);
        if (json == null) {
            throw notFound(name);
        }
        RegionRecord record = read(json);
        IgniteCache<Object, Object> cache = ignite.cache(record.spec().name());
        if (cache == null) {
            ensureCache(record);
            cache = ignite.cache(record.spec().name());
        }
        r = new Region(record, cache.withKeepBinary());
        live.put(key, r);
        return r;
    }

    /** All live regions this node can see. */
    public Collection<Region> regions() {
        List<Region> out = new ArrayList<>();
        for (RegionSpec s : list()) {
            try {
                out.add(get(s.name()));
            } catch (NotFoundException ignored) {
                // dropped between list and get
            }
        }
        return out;
    }

    /** Unregisters a region and destroys its cache and data on every node. */
    public void delete(String name) {
        delete(name, false);
    }

    /**
     * Unregisters a region and destroys its cache and data on every node. A WRITE_BEHIND region whose writes have
     * not all reached its source is kept (409) unless {@code discardPending}.
     */
    public void delete(String name, boolean discardPending) {
        String json = registry.get(KIND, name);
        if (json == null) {
            throw notFound(name);
        }
        RegionRecord record = read(json);
        for (java.util.function.Consumer<String> guard : deleteGuards) {
            guard.accept(record.spec().name());
        }
        DataPath dataPath = path;
        dataPath.checkDelete(get(name), discardPending);
        if (!registry.remove(KIND, name, json)) {
            throw new ConflictException("region '" + name + "' changed while it was being deleted; try again");
        }
        live.remove(name.toLowerCase(Locale.ROOT));
        ignite.destroyCache(record.spec().name());
        dataPath.regionDeleted(record.spec().name());
        LOG.info("Deleted region {}", record.spec().name());
    }

    /**
     * Adds columns to a region's table (the source named {@code source} brought them), on every node:
     * {@code ALTER TABLE … ADD COLUMN}, then the registry record, which notes the source as the columns' origin.
     * Columns the region has already (in any letter case) are left alone.
     */
    public synchronized void addColumns(String name, String source, Map<String, SqlType> columns) {
        requireNonNull(source, "source is null");
        for (int attempt = 0; attempt < 10; attempt++) {
            String json = registry.get(KIND, name);
            if (json == null) {
                throw notFound(name);
            }
            RegionRecord record = read(json);
            Map<String, SqlType> fresh = new LinkedHashMap<>();
            java.util.Set<String> have = new java.util.HashSet<>();
            record.columns().keySet().forEach(c -> have.add(c.toUpperCase(Locale.ROOT)));
            columns.forEach((c, t) -> {
                if (!have.contains(c.toUpperCase(Locale.ROOT)) && Names.problem(c) == null) {
                    fresh.put(c, t);
                }
            });
            if (fresh.isEmpty()) {
                return;
            }
            StringBuilder ddl = new StringBuilder("ALTER TABLE ").append(record.spec().name()).append(" ADD COLUMN (");
            boolean first = true;
            for (Map.Entry<String, SqlType> c : fresh.entrySet()) {
                // unquoted: SQL sees an upper-case column, which Ignite matches to the lower-case binary field
                ddl.append(first ? "" : ", ").append(c.getKey()).append(' ').append(sqlTypeName(c.getValue()));
                first = false;
            }
            ddl.append(')');
            ignite.cache(record.spec().name()).query(new SqlFieldsQuery(ddl.toString()).setSchema(RegionCaches.SQL_SCHEMA)).getAll();
            if (registry.replace(KIND, name, json, write(record.withAddedFields(fresh, source)))) {
                live.remove(name.toLowerCase(Locale.ROOT));
                LOG.info("Region {} gained columns {}", record.spec().name(), fresh.keySet());
                return;
            }
        }
        throw new ConflictException("region '" + name + "' kept changing while columns were added; try again");
    }

    private static String sqlTypeName(SqlType t) {
        return switch (t) {
            case BINARY -> "BINARY";
            case DOUBLE -> "DOUBLE";
            case REAL -> "REAL";
            default -> t.name();
        };
    }

    public RegionStats stats(String name) {
        Region r = get(name);
        List<RegionStats.Counters> nodes = new ArrayList<>();
        for (LocalStatsJob.Snapshot s : ignite.compute(ignite.cluster().forServers()).broadcast(new LocalStatsJob(r.name()))) {
            nodes.add(s.toCounters());
        }
        nodes.sort((a, b) -> a.node().compareTo(b.node()));
        return new RegionStats(r.name(), RegionStats.Counters.sum(nodes), nodes);
    }

    static String write(RegionRecord record) {
        try {
            return Json.MAPPER.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize region record", e);
        }
    }

    static RegionRecord read(String json) {
        try {
            return Json.STORED.forType(RegionRecord.class).readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the registry holds an unreadable region record: " + e.getOriginalMessage(), e);
        }
    }
}
