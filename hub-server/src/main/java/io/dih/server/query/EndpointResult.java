package io.dih.server.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One answer of an endpoint: rows as column-to-value objects (in column order), the column names, whether it came
 * from the cache, and whether rows beyond {@code max_rows} were cut.
 */
public record EndpointResult(
        @JsonProperty("rows") List<Map<String, Object>> rows,
        @JsonProperty("columns") List<String> columns,
        @JsonProperty("cached") boolean cached,
        @JsonProperty("truncated") boolean truncated) {

    public EndpointResult {
        rows = List.copyOf(rows);
        columns = List.copyOf(columns);
    }

    EndpointResult asCached() {
        return new EndpointResult(rows, columns, true, truncated);
    }
}
