package io.dih.connector.cassandra;

import static java.util.Objects.requireNonNull;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.type.DataType;
import io.dih.spi.SourceRejectedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Upserts ({@code INSERT}: Cassandra's insert is an upsert) and deletes by full primary key, as prepared statements
 * grouped by partition: one unlogged batch per partition (at most {@value #MAX_BATCH} statements, so never one giant
 * batch), the partitions written in parallel.
 *
 * <p>Every value is converted to its column's type before anything is sent: a row the table cannot take is refused
 * with nothing written. Past that, Cassandra has no transactions across partitions: a batch of one partition is
 * applied whole or not at all, but when one partition fails others may already be written. Upserts and deletes by
 * full primary key are idempotent, so the hub writing the same rows again (a retry, write-behind's redelivery) is
 * safe.
 */
final class CassandraWriter {
    static final int MAX_BATCH = 50;

    private final CqlSession session;
    private final CassandraStatements statements;
    private final ConsistencyLevel consistency;
    private final Duration timeout;
    private final CassandraErrors errors;

    CassandraWriter(CqlSession session, CassandraStatements statements, ConsistencyLevel consistency, Duration timeout,
                    CassandraErrors errors) {
        this.session = requireNonNull(session, "session is null");
        this.statements = requireNonNull(statements, "statements is null");
        this.consistency = requireNonNull(consistency, "consistency is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.errors = requireNonNull(errors, "errors is null");
    }

    void write(CassandraTable table, List<Map<String, Object>> upserts, List<Map<String, Object>> deletes) {
        Map<List<Object>, List<BoundStatement>> byPartition = new LinkedHashMap<>();
        String what = "writing to " + table.label();
        try {
            for (Map<String, Object> row : upserts) {
                requireKey(table, row);
                List<String> cols = table.columns().keySet().stream().filter(row::containsKey).toList();
                add(byPartition, table, statements.get(table.insert(cols)), cols, row);
            }
            for (Map<String, Object> key : deletes) {
                requireKey(table, key);
                add(byPartition, table, statements.get(table.delete()), table.primaryKey(), key);
            }
        } catch (DriverException e) {
            throw errors.statement(e, what); // preparing failed: the table or a column is gone
        }
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (List<BoundStatement> partition : byPartition.values()) {
            for (int from = 0; from < partition.size(); from += MAX_BATCH) {
                List<BoundStatement> chunk = partition.subList(from, Math.min(partition.size(), from + MAX_BATCH));
                Statement<?> s = chunk.size() == 1 ? chunk.get(0)
                        : BatchStatement.newInstance(BatchType.UNLOGGED).addAll(chunk).setConsistencyLevel(consistency).setTimeout(timeout)
                                .setIdempotent(true);
                sent.add(session.executeAsync(s).toCompletableFuture());
            }
        }
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw errors.statement(e, what);
        }
    }

    private void add(Map<List<Object>, List<BoundStatement>> byPartition, CassandraTable table, PreparedStatement ps, List<String> cols,
                     Map<String, Object> row) {
        Object[] values = new Object[cols.size()];
        for (int i = 0; i < cols.size(); i++) {
            String col = cols.get(i);
            DataType type = table.columns().get(col);
            try {
                values[i] = CassandraTypes.write(row.get(col), type);
            } catch (IllegalArgumentException e) {
                throw new SourceRejectedException("[table=" + table.label() + ", key=" + key(table, row) + "] column " + col + ": "
                        + e.getMessage(), null);
            }
        }
        List<Object> partition = new ArrayList<>();
        for (String k : table.partitionKey()) {
            partition.add(values[cols.indexOf(k)]);
        }
        BoundStatement bound = ps.bind(values).setConsistencyLevel(consistency).setTimeout(timeout).setIdempotent(true);
        byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(bound);
    }

    /** A row without its full primary key can be neither upserted nor deleted. */
    private static void requireKey(CassandraTable table, Map<String, Object> row) {
        for (String k : table.primaryKey()) {
            if (row.get(k) == null) {
                throw new SourceRejectedException("[table=" + table.label() + ", key=" + key(table, row) + "] primary key column " + k
                        + " has no value", null);
            }
        }
    }

    private static Map<String, Object> key(CassandraTable table, Map<String, Object> row) {
        Map<String, Object> key = new LinkedHashMap<>();
        table.primaryKey().forEach(k -> key.put(k, row.get(k)));
        return key;
    }
}
