package io.dih.server.region;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.api.RegionSpec;

/**
 * What the registry keeps for a region: its normalized spec and the binary type names chosen when it was created.
 * Type names carry the creation time, so a region dropped and created again with other column types never
 * clashes with the binary metadata of its predecessor.
 */
public record RegionRecord(
        @JsonProperty("spec") RegionSpec spec,
        @JsonProperty("value_type") String valueType,
        @JsonProperty("key_type") String keyType,
        @JsonProperty("created_at") String createdAt) {

    public RegionRecord {
        requireNonNull(spec, "spec is null");
        requireNonNull(valueType, "valueType is null");
        requireNonNull(keyType, "keyType is null");
        requireNonNull(createdAt, "createdAt is null");
    }
}
