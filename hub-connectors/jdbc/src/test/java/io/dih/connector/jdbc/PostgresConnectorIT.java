package io.dih.connector.jdbc;

import io.dih.spi.ConnectorContract;
import io.dih.spi.ConnectorFactory;
import io.dih.testing.TestingPostgresServer;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The connector contract against a real PostgreSQL 17. */
class PostgresConnectorIT extends ConnectorContract {
    static final TestingPostgresServer PG = TestingPostgresServer.shared();

    @Override
    protected ConnectorFactory factory() {
        return new PostgresConnectorFactory();
    }

    @Override
    protected Map<String, Object> connectionParams() {
        return Map.of("host", PG.host(), "port", PG.port(), "database", PG.database(), "user", PG.user(), "password", PG.password());
    }

    @Override
    protected void createTable(String table, List<Object[]> rows) {
        PG.execute("DROP TABLE IF EXISTS " + table,
                "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, name TEXT NOT NULL, amount NUMERIC(12,2) CHECK (amount >= 0), version BIGINT)");
        rows.forEach(r -> insert(table, (Long) r[0], (String) r[1], (BigDecimal) r[2], (Long) r[3]));
    }

    @Override
    protected void insert(String table, long id, String name, BigDecimal amount, long version) {
        JdbcFixtures.insert(PG::connect, table, id, name, amount, version);
    }

    @Override
    protected void updateTwiceInOneTransaction(String table, long id) {
        JdbcFixtures.updateTwice(PG::connect, table, id);
    }

    @Override
    protected void delete(String table, long id) {
        JdbcFixtures.delete(PG::connect, table, id);
    }

    @Override
    protected Optional<Map<String, Object>> rowInSource(String table, long id) {
        return JdbcFixtures.row(PG::connect, table, id);
    }
}
