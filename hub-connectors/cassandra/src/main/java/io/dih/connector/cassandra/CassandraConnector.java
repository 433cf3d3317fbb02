package io.dih.connector.cassandra;

import static java.util.Objects.requireNonNull;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.TokenMap;
import com.datastax.oss.driver.api.core.type.DataType;
import io.dih.api.BindingSpec;
import io.dih.spi.Capability;
import io.dih.spi.Connector;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.RowSink;
import io.dih.spi.SourceTable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Cassandra source over one driver session (the driver pools connections per node and is thread-safe). Loads read
 * the token ring in ranges, in parallel; reads and writes go by full primary key through cached prepared statements.
 * Identifiers come from the cluster's schema and are quoted by the driver; every value is a bind marker.
 *
 * <p>{@link #write} is all or none per partition only (see {@link CassandraWriter}): Cassandra has no transactions
 * across partitions. Rows the table's types cannot take are refused before anything is written.
 */
final class CassandraConnector implements Connector {
    /** Single-partition reads of a batch read that run at once. */
    private static final int READS_IN_FLIGHT = 64;

    private final CassandraConnectorConfig config;
    private final Set<Capability> capabilities;
    private final CassandraErrors errors;
    private final CqlSession session;
    private final CassandraSchema schema;
    private final CassandraStatements statements;
    private final CassandraWriter writer;
    private final CassandraLoader loader;
    private final boolean murmur3;
    private final Duration timeout;
    private final Map<BindingSpec, CassandraTable> described = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    CassandraConnector(String sourceName, CassandraConnectorConfig config, Set<Capability> capabilities) {
        this.config = requireNonNull(config, "config is null");
        this.capabilities = Set.copyOf(capabilities);
        this.errors = new CassandraErrors(config);
        this.timeout = Duration.ofSeconds(config.requestTimeoutSeconds());
        this.session = connect(sourceName, config, errors);
        try {
            checkDatacenter();
            this.schema = new CassandraSchema(session, config);
            if (config.keyspace() != null && schema.keyspace(config.keyspace()).isEmpty()) {
                throw new InvalidSpecException("connection_params.keyspace", "keyspace '" + config.keyspace() + "' does not exist on "
                        + config.where());
            }
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        this.statements = new CassandraStatements(session);
        this.writer = new CassandraWriter(session, statements, config.writeConsistency(), timeout, errors);
        this.loader = new CassandraLoader(session, config.loadParallelism());
        this.murmur3 = session.getMetadata().getTokenMap().map(TokenMap::getPartitionerName)
                .filter(p -> p.endsWith("Murmur3Partitioner")).isPresent();
    }

    private static CqlSession connect(String sourceName, CassandraConnectorConfig c, CassandraErrors errors) {
        Duration connectTimeout = Duration.ofSeconds(c.connectTimeoutSeconds());
        Duration requestTimeout = Duration.ofSeconds(c.requestTimeoutSeconds());
        CqlSessionBuilder b = CqlSession.builder().withLocalDatacenter(c.localDatacenter())
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withString(DefaultDriverOption.SESSION_NAME, "dih-" + sourceName)
                        .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, connectTimeout)
                        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, connectTimeout)
                        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, connectTimeout)
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, requestTimeout)
                        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, requestTimeout)
                        .withInt(DefaultDriverOption.REQUEST_PAGE_SIZE, c.pageSize())
                        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, c.readConsistency().name())
                        // after an outage the hub's retries find the node again within seconds, not a minute
                        .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
                        .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(5))
                        .build());
        for (String point : c.contactPoints()) {
            int colon = point.lastIndexOf(':');
            boolean hasPort = colon > 0 && point.indexOf(':') == colon;
            b.addContactPoint(new InetSocketAddress(hasPort ? point.substring(0, colon) : point,
                    hasPort ? Integer.parseInt(point.substring(colon + 1)) : c.port()));
        }
        if (c.username() != null) {
            b.withAuthCredentials(c.username(), c.password());
        }
        try {
            return b.build();
        } catch (RuntimeException e) {
            throw errors.connect(e);
        }
    }

    /** A wrong local datacenter leaves the driver no node to ask: say so now rather than on every request. */
    private void checkDatacenter() {
        Set<String> dcs = new TreeSet<>();
        for (Node n : session.getMetadata().getNodes().values()) {
            if (n.getDatacenter() != null) {
                dcs.add(n.getDatacenter());
            }
        }
        if (!dcs.isEmpty() && !dcs.contains(config.localDatacenter())) {
            throw new InvalidSpecException("connection_params.local_datacenter", "no node of Cassandra at " + config.where()
                    + " is in datacenter '" + config.localDatacenter() + "'; its datacenters are " + dcs);
        }
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    /** Reads the table's shape afresh (a column may have been added since); loads, reads and writes reuse the last one. */
    @Override
    public SourceTable describe(BindingSpec binding) {
        described.remove(binding);
        return resolve(binding).sourceTable();
    }

    private CassandraTable resolve(BindingSpec binding) {
        CassandraTable t = described.get(binding);
        if (t == null) {
            try {
                t = schema.resolve(binding);
            } catch (DriverException e) {
                throw errors.statement(e, "reading the schema of " + binding.table());
            }
            described.put(binding, t);
        }
        return t;
    }

    @Override
    public Object load(BindingSpec binding, Object after, RowSink sink) {
        CassandraTable t = resolve(binding);
        List<BoundStatement> reads = new ArrayList<>();
        try {
            if (murmur3) {
                PreparedStatement ps = statements.get(t.selectTokenRange());
                for (long[] range : CassandraLoader.ranges(loader.rangeCount())) {
                    reads.add(read(ps.bind(range[0], range[1])));
                }
            } else {
                reads.add(read(statements.get(t.selectAll()).bind()));
            }
            return loader.load(t, reads, binding.watermarkColumn(), after, sink);
        } catch (DriverException e) {
            throw errors.statement(e, "loading " + t.label()); // the sink's own exceptions pass as they are
        }
    }

    private BoundStatement read(BoundStatement s) {
        return s.setConsistencyLevel(config.readConsistency()).setTimeout(timeout).setIdempotent(true).setPageSize(config.pageSize());
    }

    /**
     * The partitions Cassandra estimates the table has ({@code system.size_estimates}, refreshed every few minutes from
     * its SSTables), when a partition is a row (no clustering columns) and the whole table is read. Empty otherwise,
     * and for a table whose data is all still in memory.
     */
    @Override
    public OptionalLong count(BindingSpec binding, Object after) {
        CassandraTable t = resolve(binding);
        if (after != null || t.hasClusteringColumns()) {
            return OptionalLong.empty();
        }
        try {
            long partitions = 0;
            boolean any = false;
            for (Row r : session.execute(read(statements.get(
                    "SELECT partitions_count FROM system.size_estimates WHERE keyspace_name = ? AND table_name = ?").bind(t.keyspace(), t.name())))) {
                partitions += r.getLong(0);
                any = true;
            }
            return any && partitions > 0 ? OptionalLong.of(partitions) : OptionalLong.empty();
        } catch (RuntimeException e) {
            return OptionalLong.empty(); // progress only; the load itself reports real failures
        }
    }

    @Override
    public Optional<Map<String, Object>> read(BindingSpec binding, Map<String, Object> key) {
        CassandraTable t = resolve(binding);
        Object[] values = keyValues(t, key);
        if (values == null) {
            return Optional.empty();
        }
        try {
            Row row = session.execute(read(statements.get(t.selectByKey()).bind(values))).one();
            return row == null ? Optional.empty() : Optional.of(row(t, row));
        } catch (DriverException e) {
            throw errors.statement(e, "reading from " + t.label());
        }
    }

    /**
     * The keys' rows by single-partition reads run concurrently (at most {@value #READS_IN_FLIGHT} at once), which
     * Cassandra prefers to an {@code IN} list on the partition key: each read goes straight to a replica of its key.
     */
    @Override
    public List<Map<String, Object>> readAll(BindingSpec binding, List<Map<String, Object>> keys) {
        CassandraTable t = resolve(binding);
        PreparedStatement select = statements.get(t.selectByKey());
        List<Map<String, Object>> rows = new ArrayList<>();
        List<CompletableFuture<AsyncResultSet>> inFlight = new ArrayList<>();
        try {
            for (int i = 0; i < keys.size(); i++) {
                Object[] values = keyValues(t, keys.get(i));
                if (values != null) {
                    inFlight.add(session.executeAsync(read(select.bind(values))).toCompletableFuture());
                }
                if (inFlight.size() == READS_IN_FLIGHT || i == keys.size() - 1) {
                    for (CompletableFuture<AsyncResultSet> f : inFlight) {
                        Row row = f.join().one();
                        if (row != null) {
                            rows.add(row(t, row));
                        }
                    }
                    inFlight.clear();
                }
            }
        } catch (CompletionException e) {
            throw errors.statement(e.getCause() == null ? e : e.getCause(), "reading from " + t.label());
        } catch (DriverException e) {
            throw errors.statement(e, "reading from " + t.label());
        }
        return rows;
    }

    /** A key's primary key values in Cassandra's types, or {@code null} when no row of the table can have that key. */
    private static Object[] keyValues(CassandraTable t, Map<String, Object> key) {
        Object[] values = new Object[t.primaryKey().size()];
        for (int i = 0; i < values.length; i++) {
            String k = t.primaryKey().get(i);
            try {
                values[i] = CassandraTypes.write(key.get(k), t.columns().get(k));
            } catch (IllegalArgumentException e) {
                return null;
            }
            if (values[i] == null) {
                throw new InvalidSpecException("key_columns", "a read of " + t.label() + " needs every primary key column " + t.primaryKey()
                        + "; " + k + " is missing from " + key);
            }
        }
        return values;
    }

    private static Map<String, Object> row(CassandraTable t, Row row) {
        Map<String, Object> out = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, DataType> col : t.columns().entrySet()) {
            out.put(col.getKey(), CassandraTypes.read(row, i++, col.getValue()));
        }
        return out;
    }

    /** All or none per partition only: see {@link CassandraWriter}. Idempotent. */
    @Override
    public void write(BindingSpec binding, List<Map<String, Object>> upserts, List<Map<String, Object>> deletes) {
        if (upserts.isEmpty() && deletes.isEmpty()) {
            return;
        }
        writer.write(resolve(binding), upserts, deletes);
    }

    /** How many prepared statements this connector holds. */
    int preparedStatements() {
        return statements.size();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            session.close();
        }
    }

    @Override
    public String toString() {
        return "CassandraConnector[" + config + "]";
    }
}
