package io.dih.connector.jdbc;

import io.dih.spi.ConnectorContract;
import io.dih.spi.ConnectorFactory;
import io.dih.testing.TestingMariaDbServer;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The connector contract against a real MariaDB 11.4. */
class MariaDbConnectorIT extends ConnectorContract {
    static final TestingMariaDbServer DB = TestingMariaDbServer.shared();

    @Override
    protected ConnectorFactory factory() {
        return new MariaDbConnectorFactory();
    }

    @Override
    protected Map<String, Object> connectionParams() {
        return Map.of("host", DB.host(), "port", DB.port(), "database", DB.database(), "user", DB.user(), "password", DB.password());
    }

    @Override
    protected void createTable(String table, List<Object[]> rows) {
        DB.execute("DROP TABLE IF EXISTS " + table,
                "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL, amount DECIMAL(12,2) CHECK (amount >= 0), version BIGINT)");
        rows.forEach(r -> insert(table, (Long) r[0], (String) r[1], (BigDecimal) r[2], (Long) r[3]));
    }

    @Override
    protected void insert(String table, long id, String name, BigDecimal amount, long version) {
        JdbcFixtures.insert(DB::connect, table, id, name, amount, version);
    }

    @Override
    protected void updateTwiceInOneTransaction(String table, long id) {
        JdbcFixtures.updateTwice(DB::connect, table, id);
    }

    @Override
    protected void delete(String table, long id) {
        JdbcFixtures.delete(DB::connect, table, id);
    }

    @Override
    protected Optional<Map<String, Object>> rowInSource(String table, long id) {
        return JdbcFixtures.row(DB::connect, table, id);
    }
}
