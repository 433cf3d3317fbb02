package io.dih.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * A committed transaction: the isolation it ran at, how many times the hub tried it, and each operation's row before
 * and after ({@code null}: no row), as the entries API returns rows.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TransactionResult(String status, String isolation, int attempts, List<Operation> results) {
    public TransactionResult {
        results = List.copyOf(results);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Operation(int index, String region, String operation, String key, Map<String, Object> before, Map<String, Object> after) {
    }
}
