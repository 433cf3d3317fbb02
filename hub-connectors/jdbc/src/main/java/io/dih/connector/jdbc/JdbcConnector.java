package io.dih.connector.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dih.api.BindingSpec;
import io.dih.api.SqlType;
import io.dih.spi.Capability;
import io.dih.spi.Connector;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.RowSink;
import io.dih.spi.SourceRejectedException;
import io.dih.spi.SourceTable;
import io.dih.spi.UnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A relational source over a HikariCP pool. Every value is bound as a statement parameter; identifiers (tables,
 * columns) come from the database's own metadata and are quoted by the dialect.
 */
final class JdbcConnector implements Connector {
    private static final int FETCH_SIZE = 1000;

    private final String sourceName;
    private final Dialect dialect;
    private final JdbcConnectorConfig config;
    private final String password;
    private final Set<Capability> capabilities;
    private final HikariDataSource pool;
    private final JdbcTables tables;
    private final JdbcReads reads;

    JdbcConnector(String sourceName, Dialect dialect, JdbcConnectorConfig config, String password, Set<Capability> capabilities) {
        this.sourceName = sourceName;
        this.dialect = dialect;
        this.config = config;
        this.password = password;
        this.capabilities = Set.copyOf(capabilities);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("dih-" + sourceName);
        hc.setJdbcUrl(dialect.jdbcUrl(config.host(), config.port(), config.database()));
        hc.setUsername(config.user());
        hc.setPassword(password);
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(config.connectTimeoutSeconds() * 1000L);
        hc.setInitializationFailTimeout(config.connectTimeoutSeconds() * 1000L);
        if (dialect instanceof PostgresDialect) {
            hc.addDataSourceProperty("connectTimeout", config.connectTimeoutSeconds());
            hc.addDataSourceProperty("ApplicationName", "dih-" + sourceName);
        } else {
            hc.addDataSourceProperty("connectTimeout", config.connectTimeoutSeconds() * 1000);
            hc.addDataSourceProperty("sslMode", "disable");
        }
        try {
            this.pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw translateConnect(e);
        }
        this.tables = new JdbcTables(dialect, config.database(), this::connection, where(), this::clean, this::translateConnect);
        this.reads = new JdbcReads(dialect, this::connection, this::translateWrite);
    }

    private JdbcTables.Described resolve(BindingSpec binding) {
        return tables.resolve(binding);
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    private String where() {
        return dialect.name() + " at " + config.host() + ":" + config.port();
    }

    /** A driver message, with the password cut out should a driver ever echo it. */
    private String clean(Throwable e) {
        String m = String.valueOf(e.getMessage());
        return password == null || password.isEmpty() ? m : m.replace(password, "******");
    }

    private RuntimeException translateConnect(Throwable e) {
        SQLException sql = sqlCause(e);
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        if (state.startsWith("28") || (sql != null && sql.getErrorCode() == 1045)) {
            return new InvalidSpecException("connection_params.password", "authentication failed for user '" + config.user()
                    + "' at " + where());
        }
        if (state.equals("3D000") || (sql != null && sql.getErrorCode() == 1049)) {
            return new InvalidSpecException("connection_params.database", "database '" + config.database() + "' does not exist on " + where());
        }
        return new UnavailableException("cannot reach " + where() + ": " + clean(sql != null ? sql : e), null);
    }

    private static SQLException sqlCause(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    private Connection connection() {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw translateConnect(e);
        }
    }

    /** Reads the table's shape afresh (a column may have been added since); reads and writes reuse the last one. */
    @Override
    public SourceTable describe(BindingSpec binding) {
        if (!binding.options().isEmpty()) {
            List<FieldError> unknown = new ArrayList<>();
            binding.options().keySet().forEach(k -> unknown.add(new FieldError(k, "is not a key of a " + dialect.name()
                    + " binding (table, query, key_columns, mapping, watermark_column, schedule)")));
            throw new InvalidSpecException(unknown);
        }
        tables.forget(binding);
        return resolve(binding).table();
    }

    @Override
    public Object load(BindingSpec binding, Object after, RowSink sink) {
        JdbcTables.Described d = resolve(binding);
        SourceTable t = d.table();
        String wm = binding.watermarkColumn();
        StringBuilder sql = new StringBuilder("SELECT ").append(reads.columnList(t)).append(" FROM ").append(d.from());
        if (wm != null && after != null) {
            sql.append(" WHERE ").append(dialect.quote(wm)).append(" > ?");
        }
        Object max = after;
        try (Connection c = connection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                ps.setFetchSize(FETCH_SIZE);
                if (wm != null && after != null) {
                    ps.setObject(1, after);
                }
                List<Map.Entry<String, SqlType>> cols = new ArrayList<>(t.columns().entrySet());
                Map<String, Object> row = new HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        row.clear();
                        for (int i = 0; i < cols.size(); i++) {
                            row.put(cols.get(i).getKey(), readValue(rs, i + 1, cols.get(i).getValue()));
                        }
                        if (wm != null) {
                            max = greater(max, row.get(wm));
                        }
                        sink.accept(row);
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new UnavailableException("loading " + t.name() + " from " + where() + " failed: " + clean(e), null);
        }
        return max;
    }

    @Override
    public java.util.OptionalLong count(BindingSpec binding, Object after) {
        JdbcTables.Described d = resolve(binding);
        String wm = binding.watermarkColumn();
        String sql = "SELECT COUNT(*) FROM " + d.from() + (wm != null && after != null ? " WHERE " + dialect.quote(wm) + " > ?" : "");
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (wm != null && after != null) {
                ps.setObject(1, after);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? java.util.OptionalLong.of(rs.getLong(1)) : java.util.OptionalLong.empty();
            }
        } catch (SQLException e) {
            return java.util.OptionalLong.empty(); // progress only; the load itself reports real failures
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object greater(Object a, Object b) {
        if (b == null) {
            return a;
        }
        if (a == null) {
            return b;
        }
        return ((Comparable) b).compareTo(a) > 0 ? b : a;
    }

    static Object readValue(ResultSet rs, int i, SqlType type) throws SQLException {
        Object v = switch (type) {
            case BOOLEAN -> rs.getBoolean(i);
            case TINYINT -> rs.getByte(i);
            case SMALLINT -> rs.getShort(i);
            case INT -> rs.getInt(i);
            case BIGINT -> rs.getLong(i);
            case REAL -> rs.getFloat(i);
            case DOUBLE -> rs.getDouble(i);
            case DECIMAL -> rs.getBigDecimal(i);
            case DATE -> rs.getDate(i);
            case TIME -> rs.getTime(i);
            case TIMESTAMP -> rs.getTimestamp(i);
            case UUID -> {
                Object o = rs.getObject(i);
                yield o == null || o instanceof UUID ? o : UUID.fromString(o.toString());
            }
            case BINARY -> rs.getBytes(i);
            case VARCHAR -> rs.getString(i);
        };
        return rs.wasNull() ? null : v;
    }

    @Override
    public Optional<Map<String, Object>> read(BindingSpec binding, Map<String, Object> key) {
        return reads.read(resolve(binding), key);
    }

    /** The keys' rows with one statement per {@value JdbcReads#KEYS_PER_STATEMENT} keys. */
    @Override
    public List<Map<String, Object>> readAll(BindingSpec binding, List<Map<String, Object>> keys) {
        return reads.readAll(resolve(binding), keys);
    }

    @Override
    public void write(BindingSpec binding, List<Map<String, Object>> upserts, List<Map<String, Object>> deletes) {
        writeAt(binding, upserts, deletes);
    }

    /**
     * PostgreSQL: the WAL insert position read inside the write's transaction, after its statements: every change of
     * the transaction has a lower LSN, and any later change of the same rows (which waits for its locks) a higher one.
     * Other databases: -1.
     */
    @Override
    public long writeAt(BindingSpec binding, List<Map<String, Object>> upserts, List<Map<String, Object>> deletes) {
        JdbcTables.Described d = resolve(binding);
        SourceTable t = d.table();
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                Map<List<String>, List<Map<String, Object>>> byColumns = new LinkedHashMap<>();
                for (Map<String, Object> row : upserts) {
                    List<String> cols = t.columns().keySet().stream().filter(row::containsKey).toList();
                    byColumns.computeIfAbsent(cols, k -> new ArrayList<>()).add(row);
                }
                for (Map.Entry<List<String>, List<Map<String, Object>>> group : byColumns.entrySet()) {
                    try (PreparedStatement ps = c.prepareStatement(dialect.upsert(t.name(), group.getKey(), t.primaryKey()))) {
                        for (Map<String, Object> row : group.getValue()) {
                            for (int i = 0; i < group.getKey().size(); i++) {
                                ps.setObject(i + 1, row.get(group.getKey().get(i)));
                            }
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                if (!deletes.isEmpty()) {
                    String sql = "DELETE FROM " + d.from() + " WHERE "
                            + t.primaryKey().stream().map(k -> dialect.quote(k) + " = ?").collect(Collectors.joining(" AND "));
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        for (Map<String, Object> key : deletes) {
                            for (int i = 0; i < t.primaryKey().size(); i++) {
                                ps.setObject(i + 1, key.get(t.primaryKey().get(i)));
                            }
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                long at = -1;
                if (dialect instanceof PostgresDialect) {
                    try (java.sql.Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn() - '0/0'")) {
                        rs.next();
                        at = rs.getLong(1);
                    }
                }
                c.commit();
                return at;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw translateWrite(e, "writing to " + t.name());
        }
    }

    private RuntimeException translateWrite(SQLException e, String what) {
        SQLException first = e.getNextException() != null ? e.getNextException() : e;
        String state = first.getSQLState() == null ? "" : first.getSQLState();
        if (state.startsWith("23") || state.startsWith("22") || state.startsWith("42")) {
            return new SourceRejectedException(sourceName + " (" + where() + ") rejected " + what + ": " + clean(first), null);
        }
        return new UnavailableException(what + " on " + where() + " failed: " + clean(first), null);
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public io.dih.spi.ChangeFeed changeFeed(String feedName, List<BindingSpec> bindings, io.dih.spi.OffsetStore offsets,
                                           io.dih.spi.ChangeSink sink) {
        Map<String, String> tables = new LinkedHashMap<>(); // Debezium's id of each table to the name our bindings see
        List<String> quoted = new ArrayList<>();
        for (BindingSpec b : bindings) {
            if (b.query() != null) {
                throw new io.dih.spi.InvalidSpecException("query", "a query binding cannot be followed by CDC; bind a table");
            }
            JdbcTables.Described d = resolve(b);
            String name = d.table().name();
            String id = name.contains(".") ? name : (dialect instanceof PostgresDialect ? "public" : config.database()) + "." + name;
            tables.put(id.toLowerCase(java.util.Locale.ROOT), name);
            quoted.add(d.from());
        }
        java.util.function.LongSupplier rows = () -> countRows(quoted);
        String name = DebeziumChangeFeed.slotName(feedName);
        return dialect instanceof PostgresDialect
                ? DebeziumChangeFeed.postgres(name, config, password, tables, offsets, sink, rows)
                : DebeziumChangeFeed.mariadb(name, config, password, tables, offsets, sink, rows);
    }

    /** How many rows the tables hold now (what a snapshot of them will read). */
    private long countRows(List<String> quotedTables) {
        long total = 0;
        try (Connection c = connection(); java.sql.Statement st = c.createStatement()) {
            for (String t : quotedTables) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + t)) { // a quoted identifier, no user value
                    rs.next();
                    total += rs.getLong(1);
                }
            }
        } catch (SQLException e) {
            throw new UnavailableException("counting rows on " + where() + " failed: " + clean(e), null);
        }
        return total;
    }

    /**
     * Checks what a change feed needs of the database ({@link ChangeFeedChecks}); a PostgreSQL feed's tables as the
     * bindings resolve them.
     */
    @Override
    public List<FieldError> checkChangeFeed(String feedName, List<BindingSpec> bindings) {
        if (!(dialect instanceof PostgresDialect)) {
            return feedChecks().binlog();
        }
        List<String> tables = new ArrayList<>();
        for (BindingSpec b : bindings) {
            tables.add(resolve(b).table().name());
        }
        return feedChecks().postgres(DebeziumChangeFeed.slotName(feedName), tables);
    }

    /** Drops a PostgreSQL feed's replication slot and publication; a binlog feed leaves nothing on the server. */
    @Override
    public void dropChangeFeed(String feedName) {
        if (dialect instanceof PostgresDialect) {
            feedChecks().dropPostgres(DebeziumChangeFeed.slotName(feedName));
        }
    }

    private ChangeFeedChecks feedChecks() {
        return new ChangeFeedChecks(this::connection, where(), config.user(), this::clean);
    }
}
