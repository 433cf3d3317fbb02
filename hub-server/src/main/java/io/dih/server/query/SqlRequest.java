package io.dih.server.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.dih.spi.InvalidSpecException;
import java.util.List;

/**
 * {@code POST /api/v1/dih/sql-query}, seed 004's body: {@code query} with {@code ?} placeholders, {@code params} bound
 * to them in order, {@code page_size} rows per page; and {@code timeout_ms} (the query is cancelled on the server past
 * it, per request: the first page, then each later one), {@code distributed_joins} (joins of PARTITIONED regions
 * whose rows are not collocated), {@code explain} (the plan instead of the rows).
 */
public record SqlRequest(
        @JsonProperty("query") String query,
        @JsonProperty("params") List<JsonNode> params,
        @JsonProperty("page_size") Integer pageSize,
        @JsonProperty("timeout_ms") Long timeoutMs,
        @JsonProperty("distributed_joins") Boolean distributedJoins,
        @JsonProperty("explain") Boolean explain) {
    public static final int DEFAULT_PAGE_SIZE = 1000;
    public static final int MAX_PAGE_SIZE = 10_000;
    public static final long DEFAULT_TIMEOUT_MS = 30_000;
    public static final long MAX_TIMEOUT_MS = 600_000;

    public SqlRequest {
        if (query == null || query.isBlank()) {
            throw new InvalidSpecException("query", "is required: one SELECT or INSERT/UPDATE/DELETE/MERGE statement");
        }
        params = params == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(params));
        if (pageSize == null) {
            pageSize = DEFAULT_PAGE_SIZE;
        } else if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new InvalidSpecException("page_size", "must be from 1 to " + MAX_PAGE_SIZE + ", was " + pageSize);
        }
        if (timeoutMs == null) {
            timeoutMs = DEFAULT_TIMEOUT_MS;
        } else if (timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
            throw new InvalidSpecException("timeout_ms", "must be from 1 to " + MAX_TIMEOUT_MS + " (10 minutes), was " + timeoutMs);
        }
        distributedJoins = distributedJoins != null && distributedJoins;
        explain = explain != null && explain;
    }
}
