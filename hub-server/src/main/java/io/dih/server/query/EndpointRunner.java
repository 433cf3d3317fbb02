package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.api.EndpointSpec;
import io.dih.server.region.ColumnValues;
import io.dih.server.region.RegionCaches;
import io.dih.server.region.RegionService;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.UnavailableException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.query.FieldsQueryCursor;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.internal.processors.cache.QueryCursorImpl;
import org.apache.ignite.internal.processors.query.GridQueryFieldMetadata;

/**
 * Runs endpoints: binds a call's parameters, answers from this node's cache while the answer is fresh (its TTL has not
 * passed and none of its regions changed since it was computed), else runs the SELECT with the values bound as SQL
 * parameters and caches the answer under the expanded cache key. Counts every call.
 */
public final class EndpointRunner {
    /** Node-local key under which {@link EndpointStatsJob} finds this node's runner. */
    public static final String NODE_LOCAL_KEY = "dih.endpoint.runner";

    private final EndpointService endpoints;
    private final RegionService regions;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private volatile EndpointObserver observer = (path, outcome, nanos) -> { };

    /** One endpoint's cache and counters on this node, for the parsed form they were made for. */
    private record State(CompiledEndpoint endpoint, ResultCache cache, EndpointStats stats) {
    }

    public EndpointRunner(EndpointService endpoints, RegionService regions) {
        this.endpoints = requireNonNull(endpoints, "endpoints is null");
        this.regions = requireNonNull(regions, "regions is null");
        endpoints.onChange(states::remove); // a deleted or changed endpoint's answers and counters go with it
    }

    /** Installs the observer told of every call (the metrics). */
    public void observe(EndpointObserver observer) {
        this.observer = requireNonNull(observer, "observer is null");
    }

    /** Calls an endpoint with the given parameters (JSON values, or text from a query string). */
    public EndpointResult run(String path, Map<String, JsonNode> params) {
        return run(path, () -> params);
    }

    /**
     * Calls an endpoint with parameters read by {@code params} once the endpoint is found, so that a request whose
     * parameters cannot even be read counts as a failed call of that endpoint.
     */
    public EndpointResult run(String path, java.util.function.Supplier<Map<String, JsonNode>> params) {
        long started = System.nanoTime();
        CompiledEndpoint ep = endpoints.compiled(path); // an unknown endpoint is a 404 and no call of any endpoint
        State state = state(ep);
        EndpointSpec spec = ep.spec();
        EndpointObserver.Outcome outcome = EndpointObserver.Outcome.ERROR;
        try {
            CompiledEndpoint.Bound bound = ep.bind(params.get());
            boolean caching = spec.ttlSeconds() > 0;
            RegionGenerations gens = endpoints.generations();
            RegionVersions versions = endpoints.versions();
            if (caching) {
                gens.watch(spec.cacheRegions()); // a no-op once the registry listener has started the watches
                ResultCache.Answer a = state.cache().get(bound.cacheKey(), started);
                if (a != null) {
                    if (gens.fresh(spec.cacheRegions(), a.stamp()) && versions.unchanged(spec.cacheRegions(), a.versions())) {
                        outcome = EndpointObserver.Outcome.HIT;
                        return a.result().asCached();
                    }
                    state.cache().remove(bound.cacheKey(), a);
                }
            }
            // both taken before the query: a change the query may have missed moves one of them past these
            long stamp = gens.now();
            List<Long> seen = caching ? versions.snapshot(spec.cacheRegions()) : List.of();
            EndpointResult result = query(ep, bound.args());
            if (caching && gens.watched(spec.cacheRegions())) {
                state.cache().put(bound.cacheKey(), new ResultCache.Answer(result, stamp, seen,
                        started + TimeUnit.SECONDS.toNanos(spec.ttlSeconds())), started);
            }
            outcome = EndpointObserver.Outcome.MISS;
            return result;
        } finally {
            long nanos = System.nanoTime() - started;
            state.stats().record(outcome, nanos);
            observer.called(spec.path(), outcome, nanos);
        }
    }

    /** An endpoint's counters on every server node, and their totals. */
    public EndpointStats.Snapshot stats(Ignite ignite, String path) {
        CompiledEndpoint ep = endpoints.compiled(path); // 404 for an unknown endpoint
        List<EndpointStats.Local> locals = new ArrayList<>(ignite.compute(ignite.cluster().forServers())
                .broadcast(new EndpointStatsJob(ep.spec().path().toLowerCase(Locale.ROOT))));
        return EndpointStats.Snapshot.of(ep.spec().path(), locals);
    }

    /** This node's counters of an endpoint (none yet: zeros). */
    EndpointStats.Local local(String node, String path) {
        State s = states.get(path);
        return s == null ? EndpointStats.Local.none(node) : s.stats().local(node, s.cache().size());
    }

    private State state(CompiledEndpoint ep) {
        String key = ep.spec().path().toLowerCase(Locale.ROOT);
        return states.compute(key, (k, s) -> s != null && s.endpoint() == ep ? s : new State(ep, new ResultCache(), new EndpointStats()));
    }

    private EndpointResult query(CompiledEndpoint ep, Object[] args) {
        return SettlingRetry.run(SettlingRetry.MAX_WAIT_MS, () -> queryOnce(ep, args));
    }

    private EndpointResult queryOnce(CompiledEndpoint ep, Object[] args) {
        EndpointSpec spec = ep.spec();
        SqlFieldsQuery q = new SqlFieldsQuery(ep.template().sql()).setSchema(RegionCaches.SQL_SCHEMA).setArgs(args).setLazy(true);
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        boolean truncated = false;
        try (FieldsQueryCursor<List<?>> cur = regions.get(spec.cacheRegions().get(0)).cache().query(q)) {
            List<GridQueryFieldMetadata> meta = cur instanceof QueryCursorImpl<?> qc ? qc.fieldsMeta() : null;
            List<String> names = new ArrayList<>();
            List<String> tables = new ArrayList<>();
            for (int i = 0; i < cur.getColumnsCount(); i++) {
                names.add(cur.getFieldName(i));
                tables.add(meta == null ? null : meta.get(i).typeName());
            }
            columns.addAll(labels(names, tables));
            Iterator<List<?>> it = cur.iterator();
            while (it.hasNext()) {
                List<?> row = it.next();
                if (rows.size() == spec.maxRows()) {
                    truncated = true;
                    break;
                }
                Map<String, Object> out = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    out.put(columns.get(i), ColumnValues.toJson(row.get(i)));
                }
                rows.add(out);
            }
        } catch (javax.cache.CacheException | org.apache.ignite.IgniteException e) {
            if (!sqlError(e)) { // the cluster could not run it (still settling after SettlingRetry, a node leaving): retry later
                throw new UnavailableException("the cluster could not run endpoint '" + spec.path() + "': " + EndpointService.sqlMessage(e), e);
            }
            // the template compiled at registration: what fails now is a bound value the SQL cannot use (e.g. a text
            // compared with a number column)
            throw new InvalidSpecException("parameters", "endpoint '" + spec.path() + "' failed with these parameters: "
                    + EndpointService.sqlMessage(e));
        }
        return new EndpointResult(rows, columns, false, truncated);
    }

    private static boolean sqlError(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t.getClass().getSimpleName().equals("IgniteSQLException")) {
                return true;
            }
        }
        return false;
    }

    /** A column label as users named it: H2 upper-cases unquoted names, regions name columns in lower case. */
    private static String label(String name) {
        return name.equals(name.toUpperCase(Locale.ROOT)) ? name.toLowerCase(Locale.ROOT) : name;
    }

    /**
     * The row keys of an answer: each column's label, unique, since rows are JSON objects. A label two columns share
     * (a join's {@code o.id, c.id}) is qualified by its table ({@code orders.id}, {@code customers.id}); one that is
     * still not unique (a self-join, two equal expressions) gets {@code _2}, {@code _3}… after its second use.
     *
     * @param tables each column's table, {@code null} for an expression
     */
    static List<String> labels(List<String> names, List<String> tables) {
        Map<String, Integer> uses = new HashMap<>();
        names.forEach(n -> uses.merge(label(n), 1, Integer::sum));
        List<String> out = new ArrayList<>(names.size());
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String l = label(names.get(i));
            if (uses.get(l) > 1 && tables.get(i) != null) {
                l = label(tables.get(i)) + "." + l;
            }
            String unique = l;
            for (int n = 2; !taken.add(unique); n++) {
                unique = l + "_" + n;
            }
            out.add(unique);
        }
        return out;
    }
}
