package io.dih.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A data source: a connection plus the regions it feeds. The JSON shape is seed 004's
 * {@code POST /api/v1/dih/data-sources} body plus {@code sync_mode} and {@code bindings}.
 *
 * @param connectionParams      connector-specific (host, port, database, user, password…); secrets may be
 *                              {@code ${ENV_VAR}} references and are never returned
 * @param syncIntervalSeconds   reload every this many seconds (LOAD mode); none: load once at registration
 * @param bindings              per target region, how it is fed; a region without one reads the table of its name
 * @param fallbackSource        another registered source (feeding the same regions) that answers read-through when
 *                              this one times out or is down (seed 000's primary/fallback)
 * @param readTimeoutMs         how long a read-through may take on this source before the fallback is asked
 * @param maxStalenessSeconds   BOUNDED_STALENESS only: how far the hub and this source may drift apart (pending
 *                              write-behind age, time since the last load) before the source turns degraded
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceSpec(
        @JsonProperty("source_name") String sourceName,
        @JsonProperty("source_type") String sourceType,
        @JsonProperty("connection_params") Map<String, Object> connectionParams,
        @JsonProperty("target_regions") List<String> targetRegions,
        @JsonProperty("sync_interval_seconds") Long syncIntervalSeconds,
        @JsonProperty("consistency_level") ConsistencyLevel consistencyLevel,
        @JsonProperty("sync_mode") SyncMode syncMode,
        @JsonProperty("bindings") Map<String, BindingSpec> bindings,
        @JsonProperty("fallback_source") String fallbackSource,
        @JsonProperty("read_timeout_ms") Long readTimeoutMs,
        @JsonProperty("max_staleness_seconds") Long maxStalenessSeconds) {

    /** What a secret looks like in API answers. */
    public static final String REDACTED = "******";

    public SourceSpec {
        List<FieldError> errors = new ArrayList<>();
        String p = Names.problem(sourceName);
        if (p != null) {
            errors.add(new FieldError("source_name", p));
        }
        if (sourceType == null || sourceType.isBlank()) {
            errors.add(new FieldError("source_type", "is required, e.g. postgresql, mysql, mariadb"));
        } else {
            sourceType = sourceType.trim().toLowerCase(Locale.ROOT);
        }
        connectionParams = connectionParams == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(connectionParams));
        if (targetRegions == null || targetRegions.isEmpty()) {
            errors.add(new FieldError("target_regions", "name at least one region the source feeds"));
            targetRegions = List.of();
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < targetRegions.size(); i++) {
                String r = targetRegions.get(i);
                String rp = Names.problem(r);
                if (rp != null) {
                    errors.add(new FieldError("target_regions[" + i + "]", rp));
                } else if (!seen.add(r.toLowerCase(Locale.ROOT))) {
                    errors.add(new FieldError("target_regions[" + i + "]", "'" + r + "' is listed twice"));
                }
            }
            targetRegions = List.copyOf(targetRegions);
        }
        if (syncIntervalSeconds != null && syncIntervalSeconds <= 0) {
            errors.add(new FieldError("sync_interval_seconds", "must be a positive number of seconds, was " + syncIntervalSeconds));
        }
        if (bindings != null) {
            for (String region : bindings.keySet()) {
                if (targetRegions.stream().noneMatch(t -> t.equalsIgnoreCase(region))) {
                    errors.add(new FieldError("bindings." + region, "is not one of target_regions " + targetRegions));
                }
            }
            bindings = Collections.unmodifiableMap(new LinkedHashMap<>(bindings));
        } else {
            bindings = Map.of();
        }
        if (fallbackSource != null && fallbackSource.equalsIgnoreCase(sourceName)) {
            errors.add(new FieldError("fallback_source", "a source cannot be its own fallback"));
        }
        if (readTimeoutMs != null && readTimeoutMs <= 0) {
            errors.add(new FieldError("read_timeout_ms", "must be a positive number of milliseconds, was " + readTimeoutMs));
        }
        if (maxStalenessSeconds != null && maxStalenessSeconds <= 0) {
            errors.add(new FieldError("max_staleness_seconds", "must be a positive number of seconds, was " + maxStalenessSeconds));
        } else if (maxStalenessSeconds != null && consistencyLevel != null && consistencyLevel != ConsistencyLevel.BOUNDED_STALENESS) {
            errors.add(new FieldError("max_staleness_seconds", "only applies to consistency_level BOUNDED_STALENESS, not " + consistencyLevel));
        } else if (maxStalenessSeconds == null && consistencyLevel == ConsistencyLevel.BOUNDED_STALENESS) {
            errors.add(new FieldError("max_staleness_seconds", "consistency_level BOUNDED_STALENESS needs the bound, "
                    + "e.g. \"max_staleness_seconds\": 30"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
    }

    /** A spec without {@code max_staleness_seconds}. */
    public SourceSpec(String sourceName, String sourceType, Map<String, Object> connectionParams, List<String> targetRegions,
            Long syncIntervalSeconds, ConsistencyLevel consistencyLevel, SyncMode syncMode, Map<String, BindingSpec> bindings,
            String fallbackSource, Long readTimeoutMs) {
        this(sourceName, sourceType, connectionParams, targetRegions, syncIntervalSeconds, consistencyLevel, syncMode, bindings,
                fallbackSource, readTimeoutMs, null);
    }

    /** The binding of a target region: the one given (reading the table of the region's name unless it names a
     * table or query), or the table of the region's name. */
    public BindingSpec binding(String region) {
        for (Map.Entry<String, BindingSpec> e : bindings.entrySet()) {
            if (e.getKey().equalsIgnoreCase(region)) {
                BindingSpec b = e.getValue();
                return b.table() != null || b.query() != null ? b
                        : b.withTable(region);
            }
        }
        return BindingSpec.defaultFor(region);
    }

    /** The spec with defaults filled in: sync mode LOAD, consistency EVENTUAL. */
    public SourceSpec normalize() {
        return normalize(SyncMode.LOAD);
    }

    /** The spec with defaults filled in: the given sync mode (the source type's own: STREAM for a message stream), EVENTUAL. */
    public SourceSpec normalize(SyncMode defaultMode) {
        return new SourceSpec(sourceName, sourceType, connectionParams, targetRegions, syncIntervalSeconds,
                consistencyLevel != null ? consistencyLevel : ConsistencyLevel.EVENTUAL,
                syncMode != null ? syncMode : defaultMode, bindings, fallbackSource, readTimeoutMs, maxStalenessSeconds);
    }

    /** The spec as the API shows it: every secret connection parameter replaced by {@link #REDACTED}. */
    public SourceSpec redacted(Set<String> secretKeys) {
        Map<String, Object> params = new LinkedHashMap<>(connectionParams);
        for (String k : secretKeys) {
            if (params.containsKey(k)) {
                params.put(k, REDACTED);
            }
        }
        return new SourceSpec(sourceName, sourceType, params, targetRegions, syncIntervalSeconds, consistencyLevel, syncMode, bindings,
                fallbackSource, readTimeoutMs, maxStalenessSeconds);
    }
}
