package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dih.api.EndpointSpec;
import io.dih.api.RegionSpec;
import io.dih.server.json.Json;
import io.dih.server.region.RegionCaches;
import io.dih.server.region.RegionService;
import io.dih.server.registry.Registry;
import io.dih.spi.ConflictException;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.NotFoundException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.lang.IgniteBiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers, finds and deletes templated API endpoints (the registry is the source of truth, under
 * {@code endpoint/<path>}), and keeps this node's machinery in step with them: the parsed endpoints, and a watch on
 * every region some endpoint reads ({@link RegionGenerations}). A template is checked at registration: its regions
 * exist, it is one SELECT over them with named placeholders, and it compiles.
 */
public final class EndpointService implements AutoCloseable {
    public static final String KIND = "endpoint";
    /** The messaging topic on which a node that loaded a region tells every node its answers over it are stale. */
    static final String BULK_CHANGE_TOPIC = "dih.endpoint.bulk-change";
    private static final Logger LOG = LoggerFactory.getLogger(EndpointService.class);

    private final Ignite ignite;
    private final Registry registry;
    private final RegionService regions;
    private final RegionGenerations generations;
    private final RegionVersions versions;
    private final SqlScope scope;
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private final ExecutorService reconciler;
    private final IgniteBiPredicate<java.util.UUID, Object> bulkListener;
    private volatile java.util.function.Consumer<String> changes = path -> { };

    /** A registered endpoint as this node runs it: the registry JSON it was parsed from, and the parsed form. */
    record Live(String json, CompiledEndpoint endpoint) {
    }

    /** The result of a registration: the normalized spec, and whether this call created it (false: the same spec was there). */
    public record Registered(EndpointSpec spec, boolean created) {
    }

    /**
     * @param versionsDataRegion the Ignite data region for {@link RegionVersions} (one that never evicts), or
     *                           {@code null} for the default one
     */
    public EndpointService(Ignite ignite, Registry registry, RegionService regions, String versionsDataRegion) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.generations = new RegionGenerations(name -> regions.get(name).cache());
        this.versions = new RegionVersions(ignite, versionsDataRegion);
        this.scope = new SqlScope(ignite);
        this.reconciler = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dih-endpoint-watches");
            t.setDaemon(true);
            return t;
        });
        this.bulkListener = (node, region) -> {
            generations.bump(String.valueOf(region));
            return true;
        };
        ignite.message().localListen(BULK_CHANGE_TOPIC, bulkListener);
        regions.guardDelete(this::refuseRegionDelete);
        reconcileLater();
    }

    RegionGenerations generations() {
        return generations;
    }

    RegionVersions versions() {
        return versions;
    }

    /**
     * A write call of this node wrote these regions (committed or not) and is about to answer: the ones cached
     * endpoints read get new versions on every node first, so no answer cached before the write is given after it.
     */
    public void regionsWritten(Collection<String> names) {
        List<String> hit = new ArrayList<>();
        for (String n : names) {
            if (generations.watching(n)) {
                hit.add(n);
            }
        }
        versions.bump(hit);
    }

    /** A write call changed regions it cannot name (SQL DML): every region a cached endpoint reads gets a new version. */
    public void anyRegionWritten() {
        versions.bump(generations.regions());
    }

    /** Called by the registry listener (on an Ignite thread: quick) for every change on any node. */
    public void onRegistryChange(String registryKey) {
        if (registryKey.startsWith(KIND + "/")) {
            String path = registryKey.substring(KIND.length() + 1);
            live.remove(path);
            changes.accept(path);
            reconcileLater();
        }
    }

    /** Installs the listener told (quickly, on an Ignite thread) of the lower-case path of every endpoint registered, changed or deleted. */
    void onChange(java.util.function.Consumer<String> listener) {
        this.changes = requireNonNull(listener, "listener is null");
    }

    /** A region changed in bulk on this node (a load): tells every node, whose answers over it are then stale. */
    public void regionChangedInBulk(String region) {
        regionsWritten(List.of(region));
        ignite.message().send(BULK_CHANGE_TOPIC, region);
    }

    /**
     * Registers an endpoint. The same spec again is a no-op (created false); another spec under the same path (in any
     * letter case) is a {@link ConflictException}; a bad template is an {@link InvalidSpecException} naming the problem.
     */
    public Registered register(EndpointSpec requested) {
        return register(requested, SqlCaller.OPERATOR);
    }

    /**
     * Registers an endpoint for a caller: a tenant's lists and reads only its own regions (another's is answered as
     * one that does not exist, {@link SqlScope}); its path is checked by the gateway.
     */
    public Registered register(EndpointSpec requested, SqlCaller caller) {
        requireNonNull(caller, "caller is null");
        CompiledEndpoint compiled = new CompiledEndpoint(requested);
        EndpointSpec spec = compiled.spec();
        String json = write(spec);
        String existing = registry.get(KIND, spec.path());
        if (existing != null) {
            return same(read(existing), spec);
        }
        check(compiled, caller);
        existing = registry.putIfAbsent(KIND, spec.path(), json);
        if (existing != null) {
            return same(read(existing), spec);
        }
        if (spec.ttlSeconds() > 0) {
            generations.watch(spec.cacheRegions()); // answers of endpoints that never cache need no watch
        }
        LOG.info("Registered endpoint {} over {}", spec.path(), spec.cacheRegions());
        return new Registered(spec, true);
    }

    private static Registered same(EndpointSpec current, EndpointSpec spec) {
        if (!current.equals(spec)) {
            throw new ConflictException("endpoint '" + current.path() + "' already exists with a different spec; "
                    + "delete it first or send the same spec [endpoint=" + spec.path() + "]");
        }
        return new Registered(current, false);
    }

    /** What needs the cluster: the regions exist (and are the caller's), the template reads no other region, and it compiles. */
    private void check(CompiledEndpoint compiled, SqlCaller caller) {
        EndpointSpec spec = compiled.spec();
        List<FieldError> errors = new ArrayList<>();
        boolean hidden = false;
        Set<String> listed = new LinkedHashSet<>();
        for (int i = 0; i < spec.cacheRegions().size(); i++) {
            String r = spec.cacheRegions().get(i);
            try {
                String name = regions.get(r).name().toUpperCase(Locale.ROOT);
                if (!caller.owns().test(name)) {
                    hidden = true;
                    throw new NotFoundException(r);
                }
                listed.add(name);
            } catch (NotFoundException e) {
                errors.add(new FieldError("cache_regions[" + i + "]", "region '" + r + "' does not exist"));
            }
        }
        if (!errors.isEmpty()) {
            throw hidden ? new HiddenObjectException(errors) : new InvalidSpecException(errors);
        }
        for (RegionSpec other : regions.list()) {
            String name = other.name().toUpperCase(Locale.ROOT);
            if (compiled.template().identifiers().contains(name) && !listed.contains(name) && caller.owns().test(name)) {
                errors.add(new FieldError("cache_regions", "the template reads region '" + other.name() + "', which is not listed; "
                        + "list every region it reads, so that a change to any of them drops the cached answers"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        try {
            scope.check(new SqlFieldsQuery(compiled.template().sql()).setSchema(RegionCaches.SQL_SCHEMA).setArgs(compiled.sampleArgs()), caller);
        } catch (InvalidSpecException e) {
            String message = "does not compile: " + e.errors().get(0).message();
            throw e instanceof HiddenObjectException ? new HiddenObjectException(SqlTemplate.FIELD, message)
                    : new InvalidSpecException(SqlTemplate.FIELD, message);
        }
        SqlFieldsQuery explain = new SqlFieldsQuery("EXPLAIN " + compiled.template().sql())
                .setSchema(RegionCaches.SQL_SCHEMA).setArgs(compiled.sampleArgs());
        try {
            regions.get(spec.cacheRegions().get(0)).cache().query(explain).getAll();
        } catch (RuntimeException e) {
            throw new InvalidSpecException(SqlTemplate.FIELD, "does not compile: " + sqlMessage(e));
        }
    }

    /** The database's own words for why a query failed, without Ignite's wrapping. */
    static String sqlMessage(Throwable e) {
        Throwable t = e;
        String msg = e.getMessage();
        while (t != null) {
            if (t.getMessage() != null) {
                msg = t.getMessage();
            }
            if (t.getClass().getSimpleName().equals("IgniteSQLException") || t.getCause() == t) {
                break;
            }
            t = t.getCause();
        }
        if (msg == null) {
            return e.getClass().getSimpleName();
        }
        int sql = msg.indexOf("; SQL statement:");
        return sql > 0 ? msg.substring(0, sql) : msg;
    }

    /** What an endpoint that does not exist answers (also for another tenant's: the same words). */
    public static NotFoundException notFound(String path) {
        return new NotFoundException("endpoint '" + path + "' does not exist");
    }

    public List<EndpointSpec> list() {
        List<EndpointSpec> out = new ArrayList<>();
        for (String json : registry.list(KIND).values()) {
            out.add(read(json));
        }
        return out;
    }

    /** The registered endpoint, or {@link NotFoundException}. */
    public EndpointSpec get(String path) {
        return compiled(path).spec();
    }

    /** The endpoint as this node runs it (parsed once per registry change), or {@link NotFoundException}. */
    CompiledEndpoint compiled(String path) {
        String key = normalizePath(path);
        Live l = live.get(key);
        if (l == null) {
            String json = registry.get(KIND, key);
            if (json == null) {
                throw notFound(path);
            }
            l = new Live(json, new CompiledEndpoint(read(json)));
            live.put(key, l);
        }
        return l.endpoint();
    }

    /** Unregisters an endpoint; its cached answers go with it on every node. */
    public void delete(String path) {
        String key = normalizePath(path);
        String json = registry.get(KIND, key);
        if (json == null) {
            throw notFound(path);
        }
        if (!registry.remove(KIND, key, json)) {
            throw new ConflictException("endpoint '" + path + "' changed while it was being deleted; try again");
        }
        live.remove(key);
        LOG.info("Deleted endpoint {}", read(json).path());
    }

    /** The path as the registry keys it: no leading or trailing slash, lower case. */
    static String normalizePath(String path) {
        String p = path == null ? "" : path.trim();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.toLowerCase(Locale.ROOT);
    }

    private void refuseRegionDelete(String region) {
        for (EndpointSpec e : list()) {
            if (e.cacheRegions().stream().anyMatch(r -> r.equalsIgnoreCase(region))) {
                throw new ConflictException("region '" + region + "' is read by endpoint '" + e.path() + "'; delete that endpoint first");
            }
        }
    }

    private void reconcileLater() {
        try {
            reconciler.execute(this::reconcile);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: nothing to keep in step any more
        }
    }

    /** Watches exactly the regions some endpoint reads (run off the registry listener's thread). */
    private void reconcile() {
        try {
            Set<String> needed = new LinkedHashSet<>();
            for (EndpointSpec e : list()) {
                if (e.ttlSeconds() > 0) {
                    needed.addAll(e.cacheRegions());
                }
            }
            generations.retain(needed);
            for (String r : needed) {
                try {
                    generations.watch(List.of(r));
                } catch (RuntimeException e) {
                    LOG.warn("Cannot watch region {} for endpoint answers: {}", r, e.toString());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Keeping endpoint watches in step with the registry failed: {}", e.toString());
        }
    }

    static String write(EndpointSpec spec) {
        try {
            return Json.MAPPER.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize endpoint spec", e);
        }
    }

    static EndpointSpec read(String json) {
        try {
            return Json.STORED.forType(EndpointSpec.class).readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the registry holds an unreadable endpoint: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public void close() {
        reconciler.shutdownNow();
        try {
            ignite.message().stopLocalListen(BULK_CHANGE_TOPIC, bulkListener);
        } catch (RuntimeException e) {
            LOG.debug("Stopping the bulk-change listener failed: {}", e.toString());
        }
        generations.close();
    }
}
