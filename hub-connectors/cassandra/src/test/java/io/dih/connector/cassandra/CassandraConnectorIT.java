package io.dih.connector.cassandra;

import com.datastax.oss.driver.api.core.cql.ColumnDefinition;
import com.datastax.oss.driver.api.core.cql.Row;
import io.dih.spi.ConnectorContract;
import io.dih.spi.ConnectorFactory;
import io.dih.testing.TestingCassandraServer;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The shared connector contract against a real Cassandra 5 node (password authentication on). */
class CassandraConnectorIT extends ConnectorContract {
    static final String KEYSPACE = "contract";

    static TestingCassandraServer server() {
        TestingCassandraServer server = TestingCassandraServer.shared();
        server.createKeyspace(KEYSPACE);
        return server;
    }

    static Map<String, Object> params(TestingCassandraServer server) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("contact_points", server.host());
        p.put("port", server.port());
        p.put("local_datacenter", server.localDatacenter());
        p.put("keyspace", KEYSPACE);
        p.put("username", TestingCassandraServer.USERNAME);
        p.put("password", TestingCassandraServer.PASSWORD);
        return p;
    }

    @Override
    protected ConnectorFactory factory() {
        return new CassandraConnectorFactory();
    }

    @Override
    protected Map<String, Object> connectionParams() {
        return params(server());
    }

    @Override
    protected void createTable(String table, List<Object[]> rows) {
        TestingCassandraServer s = server();
        s.execute("DROP TABLE IF EXISTS " + KEYSPACE + "." + table);
        s.execute("CREATE TABLE " + KEYSPACE + "." + table + " (id bigint PRIMARY KEY, name text, amount decimal, version bigint)");
        for (Object[] r : rows) {
            insert(table, (Long) r[0], (String) r[1], (BigDecimal) r[2], (Long) r[3]);
        }
    }

    @Override
    protected void insert(String table, long id, String name, BigDecimal amount, long version) {
        server().execute("INSERT INTO " + KEYSPACE + "." + table + " (id, name, amount, version) VALUES (?, ?, ?, ?)", id, name, amount, version);
    }

    /** Only the CHANGE_FEED test calls this, and Cassandra declares no change feed; two updates of one row. */
    @Override
    protected void updateTwiceInOneTransaction(String table, long id) {
        server().execute("UPDATE " + KEYSPACE + "." + table + " SET name = 'first' WHERE id = ?", id);
        server().execute("UPDATE " + KEYSPACE + "." + table + " SET name = 'second' WHERE id = ?", id);
    }

    @Override
    protected void delete(String table, long id) {
        server().execute("DELETE FROM " + KEYSPACE + "." + table + " WHERE id = ?", id);
    }

    @Override
    protected Optional<Map<String, Object>> rowInSource(String table, long id) {
        Row row = server().execute("SELECT * FROM " + KEYSPACE + "." + table + " WHERE id = ?", id).one();
        if (row == null) {
            return Optional.empty();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (ColumnDefinition c : row.getColumnDefinitions()) {
            out.put(c.getName().asInternal(), row.getObject(c.getName()));
        }
        return Optional.of(out);
    }

    /** Cassandra has no CHECK constraints: an amount its decimal column cannot take, refused before anything is written. */
    @Override
    protected Map<String, Object> refusedRow() {
        return new LinkedHashMap<>(Map.of("id", 3L, "name", "not a number", "amount", "minus one", "version", 13L));
    }
}
