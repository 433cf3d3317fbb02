package io.dih.server.region;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.api.SqlType;

/**
 * One column of a region's table, as {@code GET /cache-regions/{name}} shows it.
 *
 * @param origin where the column came from: {@code spec} (the region spec: its fields, key and index fields), or
 *               {@code source:<source_name>} (the source whose table brought it, ALTER TABLE ADD COLUMN); just
 *               {@code source} for a column added before the hub recorded which source added it
 */
public record RegionColumn(
        @JsonProperty("name") String name,
        @JsonProperty("type") SqlType type,
        @JsonProperty("key") boolean key,
        @JsonProperty("origin") String origin) {

    public static final String SPEC = "spec";
    public static final String SOURCE = "source";

    public RegionColumn {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        requireNonNull(origin, "origin is null");
    }

    /** The origin of a column a source added: {@code source:<name>}, or {@code source} when the name is unknown. */
    static String fromSource(String sourceName) {
        return sourceName == null ? SOURCE : SOURCE + ":" + sourceName;
    }
}
