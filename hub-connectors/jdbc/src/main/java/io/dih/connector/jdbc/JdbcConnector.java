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
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
    private final Map<BindingSpec, Described> described = new ConcurrentHashMap<>();

    /** A binding resolved against the database: the real table name and the typed columns. */
    private record Described(SourceTable table, String from) {
    }

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
        described.remove(binding);
        return resolve(binding).table();
    }

    private Described resolve(BindingSpec binding) {
        Described d = described.get(binding);
        if (d == null) {
            d = binding.query() != null ? describeQuery(binding) : describeTable(binding);
            described.put(binding, d);
        }
        return d;
    }

    private Described describeQuery(BindingSpec binding) {
        if (binding.keyColumns() == null) {
            throw new InvalidSpecException("key_columns", "a query binding must name its key_columns");
        }
        String from = "(" + binding.query() + ") q";
        LinkedHashMap<String, SqlType> cols = new LinkedHashMap<>();
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement("SELECT * FROM " + from + " WHERE 1 = 0");
             ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                cols.put(md.getColumnLabel(i), dialect.typeOf(md.getColumnType(i), md.getColumnTypeName(i)));
            }
        } catch (SQLException e) {
            throw new InvalidSpecException("query", "the query fails on " + where() + ": " + clean(e));
        }
        checkColumns(binding, cols);
        return new Described(new SourceTable("query", cols, binding.keyColumns()), from);
    }

    private Described describeTable(BindingSpec binding) {
        String[] parts = binding.table().split("\\.");
        String schema = parts.length == 2 ? parts[0] : (dialect instanceof PostgresDialect ? "public" : null);
        String table = parts[parts.length - 1];
        try (Connection c = connection()) {
            DatabaseMetaData md = c.getMetaData();
            String catalog = dialect instanceof PostgresDialect ? null : (parts.length == 2 ? parts[0] : config.database());
            String pgSchema = dialect instanceof PostgresDialect ? schema : null;
            for (String candidate : List.of(table, table.toLowerCase(), table.toUpperCase())) {
                LinkedHashMap<String, SqlType> cols = new LinkedHashMap<>();
                try (ResultSet rs = md.getColumns(catalog, pgSchema, candidate, null)) {
                    while (rs.next()) {
                        cols.put(rs.getString("COLUMN_NAME"), dialect.typeOf(rs.getInt("DATA_TYPE"), rs.getString("TYPE_NAME")));
                    }
                }
                if (cols.isEmpty()) {
                    continue;
                }
                List<String> pk = new ArrayList<>();
                Map<Integer, String> bySeq = new java.util.TreeMap<>();
                try (ResultSet rs = md.getPrimaryKeys(catalog, pgSchema, candidate)) {
                    while (rs.next()) {
                        bySeq.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME"));
                    }
                }
                pk.addAll(bySeq.values());
                List<String> key = binding.keyColumns() != null ? binding.keyColumns() : pk;
                if (key.isEmpty()) {
                    throw new InvalidSpecException("key_columns", "table '" + binding.table() + "' has no primary key; name its key_columns");
                }
                checkColumns(new BindingSpec(binding.table(), null, key, binding.mapping(), binding.watermarkColumn(), binding.schedule()), cols);
                String qualified = (schema != null && dialect instanceof PostgresDialect) ? schema + "." + candidate
                        : (parts.length == 2 ? parts[0] + "." + candidate : candidate);
                return new Described(new SourceTable(qualified, cols, key), dialect.quote(qualified));
            }
            throw new InvalidSpecException("table", "table '" + binding.table() + "' does not exist in database '" + config.database()
                    + "' on " + where());
        } catch (SQLException e) {
            throw translateConnect(e);
        }
    }

    private static void checkColumns(BindingSpec binding, Map<String, SqlType> cols) {
        List<FieldError> errors = new ArrayList<>();
        List<String> key = binding.keyColumns();
        for (int i = 0; key != null && i < key.size(); i++) {
            if (!cols.containsKey(key.get(i))) {
                errors.add(new FieldError("key_columns[" + i + "]", "column '" + key.get(i) + "' does not exist; columns are " + cols.keySet()));
            }
        }
        if (binding.watermarkColumn() != null && !cols.containsKey(binding.watermarkColumn())) {
            errors.add(new FieldError("watermark_column", "column '" + binding.watermarkColumn() + "' does not exist; columns are " + cols.keySet()));
        }
        if (binding.mapping() != null) {
            binding.mapping().forEach((regionCol, sourceCol) -> {
                if (!cols.containsKey(sourceCol)) {
                    errors.add(new FieldError("mapping." + regionCol, "source column '" + sourceCol + "' does not exist; columns are " + cols.keySet()));
                }
            });
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
    }

    private String columnList(SourceTable t) {
        return t.columns().keySet().stream().map(dialect::quote).collect(Collectors.joining(", "));
    }

    @Override
    public Object load(BindingSpec binding, Object after, RowSink sink) {
        Described d = resolve(binding);
        SourceTable t = d.table();
        String wm = binding.watermarkColumn();
        StringBuilder sql = new StringBuilder("SELECT ").append(columnList(t)).append(" FROM ").append(d.from());
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
        Described d = resolve(binding);
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
        Described d = resolve(binding);
        SourceTable t = d.table();
        String sql = "SELECT " + columnList(t) + " FROM " + d.from() + " WHERE "
                + t.primaryKey().stream().map(k -> dialect.quote(k) + " = ?").collect(Collectors.joining(" AND "));
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < t.primaryKey().size(); i++) {
                ps.setObject(i + 1, key.get(t.primaryKey().get(i)));
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Map<String, Object> row = new LinkedHashMap<>();
                int i = 1;
                for (Map.Entry<String, SqlType> col : t.columns().entrySet()) {
                    row.put(col.getKey(), readValue(rs, i++, col.getValue()));
                }
                return Optional.of(row);
            }
        } catch (SQLException e) {
            throw translateWrite(e, "reading from " + t.name());
        }
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
        Described d = resolve(binding);
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
            Described d = resolve(b);
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
     * Checks what PostgreSQL needs for a change feed: {@code wal_level=logical}, a user with REPLICATION (or a
     * superuser), tables with a primary key (or REPLICA IDENTITY FULL), and a slot no other reader holds.
     */
    @Override
    public List<FieldError> checkChangeFeed(String feedName, List<BindingSpec> bindings) {
        if (!(dialect instanceof PostgresDialect)) {
            return checkBinlogFeed();
        }
        List<FieldError> errors = new ArrayList<>();
        String slot = DebeziumChangeFeed.slotName(feedName);
        try (Connection c = connection()) {
            try (java.sql.Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW wal_level")) {
                rs.next();
                if (!"logical".equals(rs.getString(1))) {
                    errors.add(new FieldError("connection_params.host", where() + " has wal_level=" + rs.getString(1)
                            + "; CDC needs wal_level=logical (set it in postgresql.conf and restart the database)"));
                }
            }
            try (java.sql.Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
                if (rs.next() && !rs.getBoolean(1)) {
                    errors.add(new FieldError("connection_params.user", "user '" + config.user() + "' may not stream changes; "
                            + "give it the REPLICATION attribute (ALTER ROLE " + config.user() + " REPLICATION)"));
                }
            }
            for (BindingSpec b : bindings) {
                SourceTable t = resolve(b).table();
                String[] parts = t.name().split("\\.", 2);
                try (PreparedStatement ps = c.prepareStatement("SELECT c.relreplident, EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid "
                        + "AND i.indisprimary) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
                    ps.setString(1, parts.length == 2 ? parts[0] : "public");
                    ps.setString(2, parts.length == 2 ? parts[1] : parts[0]);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next() && !rs.getBoolean(2) && !"f".equals(rs.getString(1))) {
                            errors.add(new FieldError("bindings." + t.name() + ".table", "table " + t.name() + " has no primary key, so "
                                    + "its updates and deletes do not say which row they change: add a primary key, or "
                                    + "ALTER TABLE " + t.name() + " REPLICA IDENTITY FULL"));
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        throw new io.dih.spi.ConflictException("replication slot " + slot + " on " + where()
                                + " is in use by another reader; stop it, or name this source differently");
                    }
                }
            }
        } catch (SQLException e) {
            throw new UnavailableException("checking " + where() + " for CDC failed: " + clean(e), null);
        }
        return errors;
    }

    /**
     * Checks what a MariaDB/MySQL binlog feed needs: the binlog on, in ROW format with FULL row images, a user who may
     * read it (REPLICATION SLAVE, REPLICATION CLIENT or BINLOG MONITOR, RELOAD for the snapshot). A table without a
     * primary key needs key_columns, which registration asks for anyway; FULL row images carry them on every change.
     */
    private List<FieldError> checkBinlogFeed() {
        List<FieldError> errors = new ArrayList<>();
        try (Connection c = connection()) {
            Map<String, String> vars = new java.util.HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT @@log_bin, @@binlog_format, @@binlog_row_image");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                vars.put("log_bin", rs.getString(1));
                vars.put("binlog_format", rs.getString(2));
                vars.put("binlog_row_image", rs.getString(3));
            }
            if (!"1".equals(vars.get("log_bin")) && !"ON".equalsIgnoreCase(vars.get("log_bin"))) {
                errors.add(new FieldError("connection_params.host", where() + " does not write a binlog; CDC needs log_bin "
                        + "(start the server with --log-bin --binlog-format=ROW --binlog-row-image=FULL)"));
            } else {
                if (!"ROW".equalsIgnoreCase(vars.get("binlog_format"))) {
                    errors.add(new FieldError("connection_params.host", where() + " has binlog_format=" + vars.get("binlog_format")
                            + "; CDC needs binlog_format=ROW"));
                }
                if (!"FULL".equalsIgnoreCase(vars.get("binlog_row_image"))) {
                    errors.add(new FieldError("connection_params.host", where() + " has binlog_row_image=" + vars.get("binlog_row_image")
                            + "; CDC needs binlog_row_image=FULL"));
                }
            }
            StringBuilder grants = new StringBuilder();
            try (java.sql.Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW GRANTS")) {
                while (rs.next()) {
                    String g = rs.getString(1).toUpperCase(java.util.Locale.ROOT);
                    if (g.contains(" ON *.* ")) {
                        grants.append(g).append('\n');
                    }
                }
            }
            String g = grants.toString();
            boolean all = g.contains("ALL PRIVILEGES");
            List<String> missing = new ArrayList<>();
            if (!all && !g.contains("REPLICATION SLAVE") && !g.contains("REPLICATION REPLICA")) {
                missing.add("REPLICATION SLAVE");
            }
            if (!all && !g.contains("REPLICATION CLIENT") && !g.contains("BINLOG MONITOR")) {
                missing.add("REPLICATION CLIENT");
            }
            if (!all && !g.contains("RELOAD")) {
                missing.add("RELOAD");
            }
            if (!missing.isEmpty()) {
                errors.add(new FieldError("connection_params.user", "user '" + config.user() + "' may not read the binlog; grant it "
                        + String.join(", ", missing) + " ON *.* (GRANT " + String.join(", ", missing) + " ON *.* TO '" + config.user() + "')"));
            }
        } catch (SQLException e) {
            throw new UnavailableException("checking " + where() + " for CDC failed: " + clean(e), null);
        }
        return errors;
    }

    /** Drops the feed's replication slot (once its walsender has let go of it) and its publication. */
    @Override
    public void dropChangeFeed(String feedName) {
        if (!(dialect instanceof PostgresDialect)) {
            return;
        }
        String slot = DebeziumChangeFeed.slotName(feedName); // [a-z0-9_] only: safe as an identifier below
        long deadline = System.currentTimeMillis() + 15_000;
        try (Connection c = connection()) {
            while (true) {
                try (PreparedStatement active = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
                    active.setString(1, slot);
                    try (ResultSet rs = active.executeQuery()) {
                        if (!rs.next()) {
                            break; // no slot (any more)
                        }
                        if (!rs.getBoolean(1)) {
                            try (PreparedStatement drop = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                                drop.setString(1, slot);
                                drop.execute();
                            }
                            break;
                        }
                    }
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new UnavailableException("replication slot " + slot + " on " + where() + " is still in use; drop it by hand "
                            + "(SELECT pg_drop_replication_slot('" + slot + "')) once its reader has stopped", null);
                }
                Thread.sleep(200);
            }
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("DROP PUBLICATION IF EXISTS " + slot);
            }
        } catch (SQLException e) {
            throw new UnavailableException("dropping the change feed " + slot + " on " + where() + " failed: " + clean(e), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while dropping the change feed " + slot, e);
        }
    }
}
