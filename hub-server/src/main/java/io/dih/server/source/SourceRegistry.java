package io.dih.server.source;

import static java.util.Objects.requireNonNull;

import io.dih.api.BindingSpec;
import io.dih.api.SourceSpec;
import io.dih.api.SyncMode;
import io.dih.server.region.RegionService;
import io.dih.server.registry.Registry;
import io.dih.spi.Capability;
import io.dih.spi.ConflictException;
import io.dih.spi.Connector;
import io.dih.spi.ConnectorFactory;
import io.dih.spi.FieldError;
import io.dih.spi.HubException;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.NotFoundException;
import io.dih.spi.UnavailableException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registered sources: registration (checked, connected, planned; nothing stored when a step fails), validation,
 * listing without secrets, deletion, and which source is each region's primary. What happens to data when a source
 * comes or goes is the {@link SourceLifecycle}'s business.
 */
public final class SourceRegistry {
    public static final String KIND = "source";
    private static final Logger LOG = LoggerFactory.getLogger(SourceRegistry.class);

    private final Registry registry;
    private final RegionService regions;
    private final SourceConnectors connectors;
    private final Planner planner;
    private volatile SourceLifecycle lifecycle = SourceLifecycle.NONE;
    /** Each region's primary source, as the registry says (no connection needed); dropped on any change. */
    private final Map<String, Optional<SourceSpec>> primaries = new ConcurrentHashMap<>();

    public SourceRegistry(Registry registry, RegionService regions, SourceConnectors connectors) {
        this.registry = requireNonNull(registry, "registry is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.connectors = requireNonNull(connectors, "connectors is null");
        this.planner = new Planner(regions);
    }

    /** Connects what starts and stops the sources' data flows. */
    public void attach(SourceLifecycle sourceLifecycle) {
        this.lifecycle = requireNonNull(sourceLifecycle, "sourceLifecycle is null");
    }

    public RegionService regions() {
        return regions;
    }

    public SourceConnectors connectors() {
        return connectors;
    }

    public Planner planner() {
        return planner;
    }

    /** Called by the registry listener: forgets what depended on a region or source that changed. */
    public void onRegistryChange(String registryKey, String json) {
        if (registryKey.startsWith(RegionService.KIND + "/")) {
            primaries.clear();
        }
        if (registryKey.startsWith(KIND + "/")) {
            primaries.clear();
            connectors.changed(registryKey.substring(KIND.length() + 1), json);
        }
    }

    public record Registered(SourceSpec spec, boolean created) {
    }

    /** The sync mode a source of this type gets when its spec names none: STREAM for a message stream, else LOAD. */
    static SyncMode defaultMode(ConnectorFactory factory) {
        Set<Capability> c = factory.capabilities();
        return c.contains(Capability.STREAM) && !c.contains(Capability.BULK_LOAD) ? SyncMode.STREAM : SyncMode.LOAD;
    }

    private SourceSpec normalize(SourceSpec requested, ConnectorFactory factory) {
        return requested.normalize(defaultMode(factory));
    }

    /**
     * Registers a source: checks the spec, connects, checks every binding against its table and region, adds the
     * source's columns the regions lack, stores the spec, then lets the lifecycle start its data flow. Nothing is
     * stored when any step fails.
     */
    public Registered register(SourceSpec requested) {
        ConnectorFactory factory = connectors.factory(requested.sourceType());
        SourceSpec spec = normalize(requested, factory);
        String existing = registry.get(KIND, spec.sourceName());
        if (existing != null) {
            SourceSpec current = SourceJson.read(existing);
            if (!current.equals(spec)) {
                throw new ConflictException("source '" + current.sourceName() + "' already exists with a different spec; "
                        + "delete it first or send the same spec [source=" + spec.sourceName() + "]");
            }
            return new Registered(current.redacted(factory.secretKeys()), false);
        }
        Connector connector = connect(spec, factory);
        boolean stored = false;
        try {
            Map<String, Plan> plans = planner.plan(spec, connector);
            if (spec.syncMode() == SyncMode.CDC) {
                List<FieldError> problems = connector.checkChangeFeed(feedName(spec.sourceName()), bindings(spec));
                if (!problems.isEmpty()) {
                    throw new InvalidSpecException(problems);
                }
            }
            plans.forEach((region, p) -> regions.addColumns(region, spec.sourceName(), p.newColumns()));
            connectors.adopt(spec, connector);
            String prior = registry.putIfAbsent(KIND, spec.sourceName(), SourceJson.write(spec));
            if (prior != null) {
                connectors.disown(spec, connector);
                if (!SourceJson.read(prior).equals(spec)) {
                    throw new ConflictException("source '" + spec.sourceName() + "' was registered concurrently with a different spec");
                }
                return new Registered(SourceJson.read(prior).redacted(factory.secretKeys()), false);
            }
            stored = true;
            primaries.clear(); // this node knows at once (the others when the registry listener tells them)
            LOG.info("Registered source {} ({}, {}) feeding {}", spec.sourceName(), spec.sourceType(), spec.syncMode(), spec.targetRegions());
            lifecycle.registered(spec);
            return new Registered(spec.redacted(factory.secretKeys()), true);
        } finally {
            if (!stored) {
                connector.close();
            }
        }
    }

    /** What {@link #validate} found: every problem, or each binding's dry run. */
    public record Validation(List<FieldError> errors, Map<String, DryRun.Binding> bindings) {
    }

    /**
     * Every problem with a spec, without storing anything, and — when there is none — each binding's dry run: the
     * sample rows given (by region, or one list for all), or the first {@code sampleSize} rows read from the source,
     * as its transforms make them. The {@code /data-sources/validate} call.
     */
    public Validation validate(SourceSpec requested, Object sampleRows, int sampleSize) {
        try {
            DryRun.Sample sample = new DryRun.Sample(sampleRows, sampleSize);
            ConnectorFactory factory = connectors.factory(requested.sourceType());
            SourceSpec spec = normalize(requested, factory);
            try (Connector connector = connect(spec, factory)) {
                Map<String, Plan> plans = planner.plan(spec, connector);
                return new Validation(List.of(), DryRun.run(spec, connector, plans, sample));
            }
        } catch (InvalidSpecException e) {
            return new Validation(e.errors(), null);
        } catch (HubException e) {
            return new Validation(List.of(new FieldError("source", e.getMessage())), null);
        }
    }

    private Connector connect(SourceSpec spec, ConnectorFactory factory) {
        List<FieldError> errors = SpecChecks.problems(spec, factory, regions, this::find);
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        try {
            return connectors.create(spec, factory);
        } catch (UnavailableException e) {
            throw new InvalidSpecException(e.field(), e.getMessage());
        }
    }

    /** A source's bindings, in target region order. */
    public static List<BindingSpec> bindings(SourceSpec spec) {
        List<BindingSpec> out = new ArrayList<>();
        spec.targetRegions().forEach(r -> out.add(spec.binding(r)));
        return out;
    }

    /** The name of a source's change feed (its replication slot and publication) or consumer group. */
    public static String feedName(String source) {
        return "dih_" + source.toLowerCase(Locale.ROOT);
    }

    /** A target region that does not exist (or is another tenant's: the same words). */
    public static FieldError missingRegion(int i, String name) {
        return new FieldError("target_regions[" + i + "]", "region '" + name + "' does not exist; create it first");
    }

    /** A fallback source that does not exist (or is another tenant's: the same words). */
    public static FieldError missingFallback(String name) {
        return new FieldError("fallback_source", "source '" + name + "' does not exist; register it first");
    }

    /** What a source that does not exist answers (also for another tenant's: the same words). */
    public static NotFoundException notFound(String name) {
        return new NotFoundException("source '" + name + "' does not exist");
    }

    public List<SourceSpec> list() {
        List<SourceSpec> out = new ArrayList<>();
        for (SourceSpec s : specs()) {
            out.add(s.redacted(secrets(s)));
        }
        return out;
    }

    /** A source's spec without its secrets. */
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

    /** A source's spec as stored (secrets included: never hand it out). */
    public SourceSpec spec(String name) {
        SourceSpec s = find(name);
        if (s == null) {
            throw notFound(name);
        }
        return s;
    }

    /** A source's spec as stored, or {@code null}. */
    public SourceSpec find(String name) {
        String json = registry.get(KIND, name);
        return json == null ? null : SourceJson.read(json);
    }

    /** Every source as stored. */
    public List<SourceSpec> specs() {
        List<SourceSpec> out = new ArrayList<>();
        for (String json : registry.list(KIND).values()) {
            out.add(SourceJson.read(json));
        }
        return out;
    }

    /** Every registered source of a sync mode, by name. */
    public List<String> names(SyncMode mode) {
        List<String> out = new ArrayList<>();
        for (SourceSpec s : specs()) {
            if (s.syncMode() == mode) {
                out.add(s.sourceName());
            }
        }
        return out;
    }

    /** A source's spec when it is registered with that sync mode, else {@code null}. */
    public SourceSpec find(String name, SyncMode mode) {
        SourceSpec s = find(name);
        return s != null && s.syncMode() == mode ? s : null;
    }

    /** Unregisters a source. Its regions keep their data; loads in flight stop at their next row. */
    public void delete(String name) {
        delete(name, false);
    }

    /**
     * Unregisters a source. The lifecycle may refuse (writes pending for it) unless {@code discardPending}; a source
     * that is another's fallback stays.
     */
    public void delete(String name, boolean discardPending) {
        String json = registry.get(KIND, name);
        if (json == null) {
            throw notFound(name);
        }
        SourceSpec s = SourceJson.read(json);
        lifecycle.checkDelete(s, discardPending);
        for (SourceSpec o : specs()) {
            if (o.fallbackSource() != null && o.fallbackSource().equalsIgnoreCase(s.sourceName())) {
                throw new ConflictException("source '" + s.sourceName() + "' is the fallback of '" + o.sourceName() + "'; delete that one first");
            }
        }
        if (!registry.remove(KIND, name, json)) {
            throw new ConflictException("source '" + name + "' changed while it was being deleted; try again");
        }
        lifecycle.deleted(s);
        onRegistryChange(Registry.key(KIND, name), null);
        LOG.info("Deleted source {}", s.sourceName());
    }

    /** The source a region reads from and writes to (its primary), if any. */
    public Optional<SourceSpec> primaryFor(String region) {
        String key = region.toLowerCase(Locale.ROOT);
        Optional<SourceSpec> known = primaries.get(key);
        if (known != null) {
            return known;
        }
        Optional<SourceSpec> found = findPrimary(region);
        primaries.put(key, found);
        return found;
    }

    private Optional<SourceSpec> findPrimary(String region) {
        List<SourceSpec> feeding = new ArrayList<>();
        for (SourceSpec s : specs()) {
            if (s.targetRegions().stream().anyMatch(t -> t.equalsIgnoreCase(region))) {
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
                return Optional.of(s);
            }
        }
        return feeding.isEmpty() ? Optional.empty() : Optional.of(feeding.get(0));
    }
}
