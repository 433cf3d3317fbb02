package io.dih.server.source;

import io.dih.api.BindingSpec;
import io.dih.api.CacheStrategy;
import io.dih.api.ConsistencyLevel;
import io.dih.api.SourceSpec;
import io.dih.api.SyncMode;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.spi.Capability;
import io.dih.spi.ConnectorFactory;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.NotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The checks of a source spec that need no connection: what its type can do against its sync mode and its regions'
 * cache strategies, schedules, the staleness bound, the fallback source. Every problem is collected, each naming
 * its field.
 */
final class SpecChecks {
    private SpecChecks() {
    }

    /**
     * The problems of a spec (normalized), with the connection parameters' own.
     *
     * @param specs the stored spec of a source by name, or {@code null} (for the fallback)
     */
    static List<FieldError> problems(SourceSpec spec, ConnectorFactory factory, RegionService regions, Function<String, SourceSpec> specs) {
        List<FieldError> errors = new ArrayList<>(factory.validate(spec.connectionParams()));
        modes(spec, factory, errors);
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
            fallback(spec, specs.apply(spec.fallbackSource()), errors);
        }
        for (int i = 0; i < spec.targetRegions().size(); i++) {
            String name = spec.targetRegions().get(i);
            try {
                strategy(spec, factory, regions.get(name), i, errors);
            } catch (NotFoundException e) {
                errors.add(SourceRegistry.missingRegion(i, name));
            }
        }
        return errors;
    }

    private static void modes(SourceSpec spec, ConnectorFactory factory, List<FieldError> errors) {
        if (spec.syncMode() == SyncMode.LOAD && !factory.capabilities().contains(Capability.BULK_LOAD)) {
            errors.add(new FieldError("sync_mode", "a " + factory.type() + " source cannot load; use "
                    + (factory.capabilities().contains(Capability.STREAM) ? "STREAM" : "another sync_mode")));
        }
        if (spec.syncMode() == SyncMode.CDC && !factory.capabilities().contains(Capability.CHANGE_FEED)) {
            errors.add(new FieldError("sync_mode", "CDC is not available for " + factory.type()
                    + " sources in this version (postgresql and mariadb have it); use LOAD or NONE"));
        }
        if (spec.syncMode() == SyncMode.CDC) {
            for (String region : spec.targetRegions()) {
                if (spec.binding(region).query() != null) {
                    errors.add(new FieldError("bindings." + region + ".query", "CDC follows tables; bind a table, not a query"));
                }
            }
        }
        if (spec.syncMode() == SyncMode.STREAM && !factory.capabilities().contains(Capability.STREAM)) {
            errors.add(new FieldError("sync_mode", "STREAM is for message streams (kafka, pulsar), not " + factory.type()
                    + " sources; use LOAD, CDC or NONE"));
        }
    }

    private static void fallback(SourceSpec spec, SourceSpec f, List<FieldError> errors) {
        if (f == null) {
            errors.add(SourceRegistry.missingFallback(spec.fallbackSource()));
            return;
        }
        for (String region : spec.targetRegions()) {
            if (f.targetRegions().stream().noneMatch(t -> t.equalsIgnoreCase(region))) {
                errors.add(new FieldError("fallback_source", "source '" + f.sourceName() + "' does not feed region '" + region
                        + "'; a fallback must serve every region of its primary"));
            }
        }
    }

    private static void strategy(SourceSpec spec, ConnectorFactory factory, Region r, int i, List<FieldError> errors) {
        String name = r.name();
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
        if (strategy == CacheStrategy.WRITE_BEHIND && spec.consistencyLevel() == ConsistencyLevel.STRONG) {
            errors.add(new FieldError("consistency_level", "STRONG means a write commits only once the source has it, but region '"
                    + name + "' uses WRITE_BEHIND, which acknowledges writes before; use a WRITE_THROUGH region, or "
                    + "EVENTUAL, SESSION or BOUNDED_STALENESS"));
        }
    }
}
