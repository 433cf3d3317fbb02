package io.dih.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cache region: an Ignite cache and an SQL table of the same name. The JSON shape is seed 004's
 * {@code POST /api/v1/dih/cache-regions} body plus {@code key_fields} and {@code fields}.
 *
 * <p>Every field but {@code name} may be omitted; {@link #normalize(RegionDefaults)} fills the gaps. The compact
 * constructor checks each given field and throws {@link InvalidSpecException} naming every offending one.
 *
 * @param keyFields the columns that form the key; {@code ["id"]} when omitted
 * @param fields    column name to SQL type; when omitted the columns are the key and index fields
 * @param affinityKey the key column whose value decides the node an entry lives on (Ignite's affinity key), so that
 *                    entries of regions with equal values of it live together and joins on it are local; one of
 *                    {@code key_fields}; omitted, the whole key decides
 */
// "columns" is what the API answers next to a region's spec (its table as it is now): a region read with GET can be
// posted back as it is (200, the same spec)
@JsonIgnoreProperties(value = "columns", ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegionSpec(
        @JsonProperty("name") String name,
        @JsonProperty("cache_mode") CacheMode cacheMode,
        @JsonProperty("backups") Integer backups,
        @JsonProperty("atomicity_mode") AtomicityMode atomicityMode,
        @JsonProperty("cache_strategy") CacheStrategy cacheStrategy,
        @JsonProperty("expiry_policy") ExpiryPolicySpec expiryPolicy,
        @JsonProperty("eviction_max_size") Long evictionMaxSize,
        @JsonProperty("indexes") List<IndexSpec> indexes,
        @JsonProperty("key_fields") List<String> keyFields,
        @JsonProperty("fields") Map<String, SqlType> fields,
        @JsonProperty("refresh_ahead_factor") Double refreshAheadFactor,
        @JsonProperty("affinity_key") String affinityKey) {

    /** The key column of a region whose spec names none. */
    public static final String DEFAULT_KEY = "id";
    /** REFRESH_AHEAD's default: an entry read in the last quarter of its lifetime is reloaded. */
    public static final double DEFAULT_REFRESH_AHEAD_FACTOR = 0.75;
    /** More backups than this is a typo, not a plan. */
    public static final int MAX_BACKUPS = 16;

    public RegionSpec {
        List<FieldError> errors = new ArrayList<>();
        String nameProblem = Names.problem(name);
        if (nameProblem != null) {
            errors.add(new FieldError("name", nameProblem));
        } else if (name.toLowerCase().startsWith("dih_") || name.toLowerCase().startsWith("ignite")) {
            errors.add(new FieldError("name", "'" + name + "' uses a prefix reserved for the hub's own caches (dih_, ignite)"));
        }
        if (backups != null && (backups < 0 || backups > MAX_BACKUPS)) {
            errors.add(new FieldError("backups", "must be between 0 and " + MAX_BACKUPS + ", was " + backups));
        }
        if (evictionMaxSize != null && evictionMaxSize <= 0) {
            errors.add(new FieldError("eviction_max_size", "must be a positive number of entries, was " + evictionMaxSize));
        }
        if (refreshAheadFactor != null && !(refreshAheadFactor > 0 && refreshAheadFactor < 1)) {
            errors.add(new FieldError("refresh_ahead_factor", "must be a fraction of the entry lifetime between 0 and 1 "
                    + "(exclusive), e.g. 0.75 refreshes entries read in the last quarter of their life; was " + refreshAheadFactor));
        }
        if (fields != null) {
            fields = checkFields(errors, fields);
        }
        if (keyFields != null) {
            keyFields = checkKeyFields(errors, keyFields, fields);
        }
        if (indexes != null) {
            indexes = checkIndexes(errors, indexes, fields);
        }
        if (affinityKey != null) {
            checkAffinityKey(errors, affinityKey, keyFields);
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
    }

    /** A spec without {@code affinity_key}: the whole key decides where an entry lives. */
    public RegionSpec(String name, CacheMode cacheMode, Integer backups, AtomicityMode atomicityMode, CacheStrategy cacheStrategy,
            ExpiryPolicySpec expiryPolicy, Long evictionMaxSize, List<IndexSpec> indexes, List<String> keyFields,
            Map<String, SqlType> fields, Double refreshAheadFactor) {
        this(name, cacheMode, backups, atomicityMode, cacheStrategy, expiryPolicy, evictionMaxSize, indexes, keyFields, fields,
                refreshAheadFactor, null);
    }

    /** A spec without {@code refresh_ahead_factor}. */
    public RegionSpec(String name, CacheMode cacheMode, Integer backups, AtomicityMode atomicityMode, CacheStrategy cacheStrategy,
            ExpiryPolicySpec expiryPolicy, Long evictionMaxSize, List<IndexSpec> indexes, List<String> keyFields,
            Map<String, SqlType> fields) {
        this(name, cacheMode, backups, atomicityMode, cacheStrategy, expiryPolicy, evictionMaxSize, indexes, keyFields, fields, null, null);
    }

    /** A spec with only a name: every other setting from the defaults. */
    public static RegionSpec named(String name) {
        return new RegionSpec(name, null, null, null, null, null, null, null, null, null);
    }

    private static Map<String, SqlType> checkFields(List<FieldError> errors, Map<String, SqlType> fields) {
        if (fields.isEmpty()) {
            errors.add(new FieldError("fields", "must not be empty when given"));
        }
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, SqlType> f : fields.entrySet()) {
            String problem = Names.problem(f.getKey());
            if (problem != null) {
                errors.add(new FieldError("fields." + f.getKey(), problem));
            } else if (!seen.add(f.getKey().toUpperCase())) {
                errors.add(new FieldError("fields." + f.getKey(), "duplicates another column (SQL names ignore case)"));
            }
            if (f.getValue() == null) {
                errors.add(new FieldError("fields." + f.getKey(), "needs an SQL type"));
            }
        }
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    private static List<String> checkKeyFields(List<FieldError> errors, List<String> keyFields, Map<String, SqlType> fields) {
        if (keyFields.isEmpty()) {
            errors.add(new FieldError("key_fields", "must name at least one column when given"));
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < keyFields.size(); i++) {
            String k = keyFields.get(i);
            String path = "key_fields[" + i + "]";
            String problem = Names.problem(k);
            if (problem != null) {
                errors.add(new FieldError(path, problem));
                continue;
            }
            if (!seen.add(k.toUpperCase())) {
                errors.add(new FieldError(path, "'" + k + "' is listed twice"));
            }
            if (fields != null && !fields.containsKey(k)) {
                errors.add(new FieldError(path, "'" + k + "' is not one of the region's fields"));
            } else if (fields != null && fields.get(k) == SqlType.BINARY) {
                errors.add(new FieldError(path, "a BINARY column cannot be part of the key"));
            }
        }
        return List.copyOf(keyFields);
    }

    private static void checkAffinityKey(List<FieldError> errors, String affinityKey, List<String> keyFields) {
        String problem = Names.problem(affinityKey);
        List<String> keys = keyFields != null ? keyFields : List.of(DEFAULT_KEY);
        if (problem != null) {
            errors.add(new FieldError("affinity_key", problem));
        } else if (!keys.contains(affinityKey)) {
            errors.add(new FieldError("affinity_key", "'" + affinityKey + "' is not one of the region's key_fields " + keys
                    + "; the affinity key must be part of the key, e.g. key_fields [\"id\", \"" + affinityKey + "\"]"));
        }
    }

    private static List<IndexSpec> checkIndexes(List<FieldError> errors, List<IndexSpec> indexes, Map<String, SqlType> fields) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < indexes.size(); i++) {
            IndexSpec idx = indexes.get(i);
            String path = "indexes[" + i + "]";
            if (idx == null) {
                errors.add(new FieldError(path, "must be [\"field\", \"TYPE\"]"));
                continue;
            }
            if (!seen.add(idx.field().toUpperCase())) {
                errors.add(new FieldError(path, "field '" + idx.field() + "' is indexed twice"));
            }
            SqlType declared = fields == null ? null : fields.get(idx.field());
            if (fields != null && declared == null) {
                errors.add(new FieldError(path, "field '" + idx.field() + "' is not one of the region's fields"));
            } else if (declared != null && idx.type() != null && declared != idx.type()) {
                errors.add(new FieldError(path, "type " + idx.type() + " conflicts with fields." + idx.field() + " " + declared));
            } else if (fields == null && idx.type() == null) {
                errors.add(new FieldError(path, "give the type of '" + idx.field() + "' as [\"" + idx.field() + "\", \"TYPE\"] or declare it in fields"));
            }
        }
        return List.copyOf(indexes);
    }

    /**
     * The full spec this one stands for: defaults applied, the key and the columns spelled out, index types
     * resolved. Two requests that normalize to equal specs are the same registration.
     */
    public RegionSpec normalize(RegionDefaults defaults) {
        CacheMode mode = cacheMode != null ? cacheMode : defaults.cacheMode();
        int b = backups != null ? backups : (mode == CacheMode.REPLICATED ? 0 : defaults.backups());
        List<String> keys = keyFields != null ? keyFields : List.of(DEFAULT_KEY);

        LinkedHashMap<String, SqlType> cols = new LinkedHashMap<>();
        for (String k : keys) {
            SqlType t = fields != null ? fields.get(k) : null;
            if (t == null && indexes != null) {
                t = indexes.stream().filter(i -> i.field().equals(k)).map(IndexSpec::type).findFirst().orElse(null);
            }
            cols.put(k, t != null ? t : SqlType.VARCHAR);
        }
        if (fields != null) {
            fields.forEach(cols::putIfAbsent);
        }
        List<IndexSpec> idx = new ArrayList<>();
        if (indexes != null) {
            for (IndexSpec i : indexes) {
                cols.putIfAbsent(i.field(), i.type());
                idx.add(new IndexSpec(i.field(), cols.get(i.field())));
            }
        }
        if (keys.stream().anyMatch(k -> cols.get(k) == SqlType.BINARY)) {
            throw new InvalidSpecException("key_fields", "a BINARY column cannot be part of the key");
        }
        AtomicityMode atomicity = atomicityMode != null ? atomicityMode : defaults.atomicityMode();
        CacheStrategy strategy = cacheStrategy != null ? cacheStrategy : defaults.cacheStrategy();
        List<FieldError> errors = new ArrayList<>();
        if (strategy == CacheStrategy.WRITE_BEHIND && atomicity != AtomicityMode.TRANSACTIONAL) {
            errors.add(new FieldError("atomicity_mode", "cache_strategy WRITE_BEHIND needs atomicity_mode TRANSACTIONAL: "
                    + "an entry and its pending write to the source are committed together, so no acknowledged write is lost"));
        }
        if (strategy == CacheStrategy.REFRESH_AHEAD && expiryPolicy == null) {
            errors.add(new FieldError("expiry_policy", "cache_strategy REFRESH_AHEAD refreshes entries before they expire; "
                    + "give an expiry_policy, e.g. {\"create\": 300}"));
        }
        if (refreshAheadFactor != null && strategy != CacheStrategy.REFRESH_AHEAD) {
            errors.add(new FieldError("refresh_ahead_factor", "only applies to cache_strategy REFRESH_AHEAD, not " + strategy));
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return new RegionSpec(name, mode, b, atomicity, strategy, expiryPolicy,
                evictionMaxSize != null ? evictionMaxSize : defaults.evictionMaxSize(),
                List.copyOf(idx), keys, cols,
                strategy == CacheStrategy.REFRESH_AHEAD && refreshAheadFactor == null ? Double.valueOf(DEFAULT_REFRESH_AHEAD_FACTOR) : refreshAheadFactor,
                affinityKey);
    }

    /** The value columns: every field that is not part of the key. Only meaningful on a normalized spec. */
    @JsonIgnore
    public Map<String, SqlType> valueFields() {
        Map<String, SqlType> out = new LinkedHashMap<>(fields);
        keyFields.forEach(out::remove);
        return out;
    }

    /** True when the key is one column, stored as a plain value rather than a composite key object. */
    @JsonIgnore
    public boolean simpleKey() {
        return keyFields.size() == 1;
    }
}
