package io.dih.server.region;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the registry keeps for a region: its normalized spec and the binary type names chosen when it was created.
 * Type names carry the creation time, so a region dropped and created again with other column types never
 * clashes with the binary metadata of its predecessor. {@code added_fields} are columns sources brought later; they
 * are kept apart from the spec so that the user's own spec stays the measure of "the same region". {@code added_by}
 * names the source that brought each of them (absent in records written before it was kept). Unknown properties are
 * ignored, so that a node reads the records a newer node wrote.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RegionRecord(
        @JsonProperty("spec") RegionSpec spec,
        @JsonProperty("value_type") String valueType,
        @JsonProperty("key_type") String keyType,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("added_fields") Map<String, SqlType> addedFields,
        @JsonProperty("added_by") Map<String, String> addedBy) {

    public RegionRecord {
        requireNonNull(spec, "spec is null");
        addedFields = addedFields == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(addedFields));
        addedBy = addedBy == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(addedBy));
        requireNonNull(valueType, "valueType is null");
        requireNonNull(keyType, "keyType is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    /** Every column: the spec's, then those sources added later (ALTER TABLE ADD COLUMN). */
    public Map<String, SqlType> columns() {
        if (addedFields.isEmpty()) {
            return spec.fields();
        }
        Map<String, SqlType> all = new LinkedHashMap<>(spec.fields());
        addedFields.forEach(all::putIfAbsent);
        return all;
    }

    /** A record of a new region: no columns added yet. */
    public RegionRecord(RegionSpec spec, String valueType, String keyType, String createdAt) {
        this(spec, valueType, keyType, createdAt, null, null);
    }

    /** The record with more columns, which the source named {@code source} brought. */
    public RegionRecord withAddedFields(Map<String, SqlType> more, String source) {
        requireNonNull(source, "source is null");
        Map<String, SqlType> all = new LinkedHashMap<>(addedFields);
        all.putAll(more);
        Map<String, String> by = new LinkedHashMap<>(addedBy);
        more.keySet().forEach(c -> by.put(c, source));
        return new RegionRecord(spec, valueType, keyType, createdAt, all, by);
    }

    /** Every column of the region's table in order (as {@link #columns()}), with its type, whether it is a key column, and its origin. */
    public List<RegionColumn> columnList() {
        List<RegionColumn> out = new ArrayList<>();
        columns().forEach((name, type) -> out.add(new RegionColumn(name, type, spec.keyFields().contains(name),
                spec.fields().containsKey(name) ? RegionColumn.SPEC : RegionColumn.fromSource(addedBy.get(name)))));
        return List.copyOf(out);
    }
}
