package io.dih.server.region;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the registry keeps for a region: its normalized spec and the binary type names chosen when it was created.
 * Type names carry the creation time, so a region dropped and created again with other column types never
 * clashes with the binary metadata of its predecessor. {@code added_fields} are columns sources brought later; they
 * are kept apart from the spec so that the user's own spec stays the measure of "the same region".
 */
public record RegionRecord(
        @JsonProperty("spec") RegionSpec spec,
        @JsonProperty("value_type") String valueType,
        @JsonProperty("key_type") String keyType,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("added_fields") Map<String, SqlType> addedFields) {

    public RegionRecord {
        requireNonNull(spec, "spec is null");
        addedFields = addedFields == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(addedFields));
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

    /** The record with more columns. */
    public RegionRecord withAddedFields(Map<String, SqlType> more) {
        Map<String, SqlType> all = new LinkedHashMap<>(addedFields);
        all.putAll(more);
        return new RegionRecord(spec, valueType, keyType, createdAt, all);
    }
}
