package io.dih.server.security;

import static java.util.Objects.requireNonNull;

import io.dih.server.query.HiddenObjectException;
import io.dih.server.source.SourceRegistry;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * What a tenant's credential may create and see: names in its namespace ({@code <tenant>_...}, endpoint paths
 * {@code <tenant>/...}), within its quotas; another tenant's object is answered exactly as one that does not exist.
 * The operator is never limited.
 */
public final class TenantPolicy {
    private final Tenants tenants;
    private final Supplier<List<String>> regionNames;
    private final Supplier<List<String>> sourceNames;
    private final ToLongFunction<String> entriesOwned;
    /** Per tenant: {entries, when counted (nanos)}; a count is used for a second (it is a cluster-wide call). */
    private final Map<String, long[]> entryCounts = new ConcurrentHashMap<>();

    /**
     * @param regionNames  the names of every region now; {@code sourceNames} of every source
     * @param entriesOwned how many entries a tenant's regions hold now (primary copies, cluster-wide)
     */
    public TenantPolicy(Tenants tenants, Supplier<List<String>> regionNames, Supplier<List<String>> sourceNames,
                        ToLongFunction<String> entriesOwned) {
        this.tenants = requireNonNull(tenants, "tenants is null");
        this.regionNames = requireNonNull(regionNames, "regionNames is null");
        this.sourceNames = requireNonNull(sourceNames, "sourceNames is null");
        this.entriesOwned = requireNonNull(entriesOwned, "entriesOwned is null");
    }

    /**
     * A write through the gateway that may add up to {@code adding} entries to a tenant's regions: refused (403) once
     * they hold {@code max_entries} (counted at most a second ago). PATCH, DELETE and updates of existing rows in a
     * transaction add none and are never refused; loads and feeds are bounded by a region's eviction_max_size.
     */
    public void mayAddEntries(Principal p, int adding) {
        if (p.operator() || adding <= 0) {
            return;
        }
        Long max = tenants.get(p.tenant()).quotas().maxEntries();
        if (max == null) {
            return;
        }
        long now = System.nanoTime();
        long[] counted = entryCounts.get(p.tenant());
        if (counted == null || now - counted[1] > 1_000_000_000L) {
            counted = new long[] {entriesOwned.applyAsLong(p.tenant()), now};
            entryCounts.put(p.tenant(), counted);
        }
        if (counted[0] + adding > max) {
            throw new ForbiddenException("tenant '" + p.tenant() + "' holds " + counted[0] + " entries and may hold " + max
                    + " (quotas.max_entries); delete some (or update existing rows with PATCH), or ask the operator for more");
        }
    }

    /** Whether a tenant may add an object named {@code name} to those it owns among {@code all}: one more within max. */
    private static boolean withinQuota(Principal p, String name, List<String> all, Integer max) {
        if (max == null) {
            return true;
        }
        int owned = 0;
        for (String n : all) {
            if (n.equalsIgnoreCase(name)) {
                return true; // registered again: nothing new
            }
            if (p.owns(n)) {
                owned++;
            }
        }
        return owned < max;
    }

    /** The objects a principal may see, of a listing. */
    public static <T> List<T> visible(Principal p, List<T> all, Function<T, String> name) {
        if (p.operator()) {
            return all;
        }
        List<T> out = new ArrayList<>();
        for (T t : all) {
            if (p.owns(name.apply(t))) {
                out.add(t);
            }
        }
        return out;
    }

    /** A new region of a tenant: its name in the namespace, under the region quota (a region registered again passes). */
    public void newRegion(Principal p, String name) {
        if (p.operator()) {
            return;
        }
        namespace(p, "name", name, "region");
        Integer max = tenants.get(p.tenant()).quotas().maxRegions();
        if (!withinQuota(p, name, regionNames.get(), max)) {
            throw new ForbiddenException("tenant '" + p.tenant() + "' owns " + max + " regions, its quota (quotas.max_regions); delete one or ask "
                    + "the operator for more");
        }
    }

    /**
     * A new source of a tenant: its name in the namespace, its target regions and fallback source its own (another
     * tenant's is reported as missing, as it would be), under the source quota.
     */
    public void newSource(Principal p, String name, List<String> targetRegions, String fallbackSource) {
        if (p.operator()) {
            return;
        }
        namespace(p, "source_name", name, "source");
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; targetRegions != null && i < targetRegions.size(); i++) {
            if (!p.owns(targetRegions.get(i))) {
                errors.add(SourceRegistry.missingRegion(i, targetRegions.get(i)));
            }
        }
        if (fallbackSource != null && !p.owns(fallbackSource)) {
            errors.add(SourceRegistry.missingFallback(fallbackSource));
        }
        if (!errors.isEmpty()) {
            throw new HiddenObjectException(errors);
        }
        Integer max = tenants.get(p.tenant()).quotas().maxSources();
        if (!withinQuota(p, name, sourceNames.get(), max)) {
            throw new ForbiddenException("tenant '" + p.tenant() + "' owns " + max + " sources, its quota (quotas.max_sources); delete one or ask "
                    + "the operator for more");
        }
    }

    /** A new endpoint of a tenant: its path under the tenant's ({@code <tenant>/...}). */
    public static void newEndpoint(Principal p, String path) {
        if (path != null && !p.ownsEndpoint(path)) {
            String bare = path.startsWith("/") ? path.substring(1) : path;
            throw new InvalidSpecException("path", "an endpoint of tenant '" + p.tenant() + "' has a path under '" + p.tenant() + "/': '"
                    + p.tenant() + "/" + bare + "' (paths are cluster-wide; the prefix keeps tenants apart)");
        }
    }

    private static void namespace(Principal p, String field, String name, String what) {
        if (name != null && !p.owns(name)) {
            throw new InvalidSpecException(field, "a " + what + " of tenant '" + p.tenant() + "' is named with its prefix: '"
                    + Principal.prefix(p.tenant()) + name + "' (names are cluster-wide; the prefix keeps tenants apart)");
        }
    }
}
