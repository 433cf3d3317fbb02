package io.dih.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds one ACID transaction over the hub's TRANSACTIONAL regions and commits it with {@code POST /transactions}:
 * every operation is applied, or none is.
 *
 * <pre>{@code
 * TransactionResult r = hub.transaction()
 *         .increment("account_balances", "account_123", Map.of("balance", -100)).requireMin("balance", 0)
 *         .increment("account_balances", "account_456", Map.of("balance", 100))
 *         .isolation(Isolation.SERIALIZABLE)
 *         .timeout(Duration.ofSeconds(5))
 *         .commit();
 * }</pre>
 *
 * Not thread-safe; build one per transaction.
 */
public final class Transaction {
    private final HubClient client;
    private final List<Map<String, Object>> operations = new ArrayList<>();
    private Isolation isolation;
    private Duration timeout;

    Transaction(HubClient client) {
        this.client = requireNonNull(client, "client is null");
    }

    /** Reads a row (its {@code before} and {@code after} in the result). */
    public Transaction get(String region, String key) {
        return add(region, "get", key, null);
    }

    /** Stores (replaces) a row; columns left out become null. */
    public Transaction put(String region, String key, Map<String, ?> row) {
        return add(region, "put", key, requireNonNull(row, "row is null"));
    }

    /** Sets some columns of an existing row (the transaction fails with 404 if it is not there). */
    public Transaction update(String region, String key, Map<String, ?> columns) {
        return add(region, "update", key, requireNonNull(columns, "columns is null"));
    }

    /** Adds the given amounts to numeric columns of an existing row (negative amounts subtract). */
    public Transaction increment(String region, String key, Map<String, ? extends Number> deltas) {
        return add(region, "increment", key, requireNonNull(deltas, "deltas is null"));
    }

    /** Adds a new row (the transaction fails with 409 if the key is there). */
    public Transaction insert(String region, String key, Map<String, ?> row) {
        return add(region, "insert", key, requireNonNull(row, "row is null"));
    }

    /** Removes an existing row (the transaction fails with 404 if it is not there). */
    public Transaction delete(String region, String key) {
        return add(region, "delete", key, null);
    }

    /**
     * A guard on the row the last operation leaves: {@code condition} is {@code min}, {@code max} (inclusive) or
     * {@code equals}. If it does not hold, nothing is applied and {@link #commit} throws a 409.
     */
    @SuppressWarnings("unchecked")
    public Transaction require(String column, String condition, Object bound) {
        requireNonNull(column, "column is null");
        requireNonNull(condition, "condition is null");
        if (operations.isEmpty()) {
            throw new IllegalStateException("require(...) guards the operation before it; add an operation first");
        }
        Map<String, Object> op = operations.get(operations.size() - 1);
        Map<String, Object> require = (Map<String, Object>) op.computeIfAbsent("require", k -> new LinkedHashMap<String, Object>());
        ((Map<String, Object>) require.computeIfAbsent(column, k -> new LinkedHashMap<String, Object>())).put(condition, bound);
        return this;
    }

    /** {@code require(column, "min", min)}: e.g. a debit that must not overdraw. */
    public Transaction requireMin(String column, Number min) {
        return require(column, "min", min);
    }

    public Transaction isolation(Isolation isolation) {
        this.isolation = requireNonNull(isolation, "isolation is null");
        return this;
    }

    /** How long the hub may take (waiting for locks included) before it gives up with a 408, applying nothing. */
    public Transaction timeout(Duration timeout) {
        this.timeout = requireNonNull(timeout, "timeout is null");
        return this;
    }

    /**
     * Runs the transaction.
     *
     * @return each operation's row before and after
     * @throws HubClientException 400 invalid operation (field names it), 404 missing row, 408 timeout, 409 failed
     *     guard / existing key / conflicts, 422 refused by a write-through source, 503 cluster change (retry); in every
     *     case nothing was applied
     */
    public TransactionResult commit() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("operations", operations);
        if (isolation != null) {
            body.put("isolation", isolation.name());
        }
        if (timeout != null) {
            body.put("timeout", Math.max(1, timeout.toMillis()));
        }
        return client.commit(body);
    }

    private Transaction add(String region, String operation, String key, Map<String, ?> updates) {
        requireNonNull(region, "region is null");
        requireNonNull(key, "key is null");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("key", key);
        if (updates != null) {
            data.put("updates", updates);
        }
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("region", region);
        op.put("operation", operation);
        op.put("data", data);
        operations.add(op);
        return this;
    }
}
