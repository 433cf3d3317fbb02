package io.dih.server.query;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A committed transaction: the isolation it ran at, how many times it was tried (SERIALIZABLE retries on conflicts),
 * and each operation's row before and after, as the entries API shows rows ({@code null}: no row).
 *
 * @param wroteSessionRegion whether it wrote a region fed by a SESSION source (not part of the answer's body: the
 *                           gateway then hands out a session token)
 */
public record TransactionResult(@JsonProperty("status") String status, @JsonProperty("isolation") String isolation,
                                @JsonProperty("attempts") int attempts, @JsonProperty("results") List<Operation> results,
                                @JsonIgnore boolean wroteSessionRegion) {
    public TransactionResult {
        results = List.copyOf(results);
    }

    public record Operation(@JsonProperty("index") int index, @JsonProperty("region") String region,
                            @JsonProperty("operation") String operation, @JsonProperty("key") String key,
                            @JsonProperty("before") ObjectNode before, @JsonProperty("after") ObjectNode after) {
    }
}
