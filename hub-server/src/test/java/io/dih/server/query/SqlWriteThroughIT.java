package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.TestingPostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/** SQL DML on a WRITE_THROUGH region: the database commits first; a refusal is a 422 and changes neither side. */
class SqlWriteThroughIT {
    static final String SQL = "/api/v1/dih/sql-query";
    static final String REGIONS = "/api/v1/dih/cache-regions";

    static String dbRow(TestingPostgresServer pg, long id) throws Exception {
        try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT owner, balance FROM sql_accounts WHERE id = " + id)) {
            return rs.next() ? rs.getString(1) + "|" + rs.getBigDecimal(2) : null;
        }
    }

    @Test
    void dmlGoesThroughToTheDatabase() throws Exception {
        try (TestingHubCluster cluster = TestingHubCluster.start(1)) {
            TestingPostgresServer pg = TestingPostgresServer.shared();
            pg.execute("DROP TABLE IF EXISTS sql_accounts",
                    "CREATE TABLE sql_accounts (id BIGINT PRIMARY KEY, owner TEXT NOT NULL, balance NUMERIC(12,2) CHECK (balance >= 0))");
            Rest rest = new Rest(cluster.node(0).baseUrl());
            assertThat(rest.post(REGIONS, "{\"name\": \"sql_accounts\", \"cache_strategy\": \"WRITE_THROUGH\", "
                    + "\"fields\": {\"id\": \"BIGINT\", \"owner\": \"VARCHAR\", \"balance\": \"DECIMAL\"}}").status()).isEqualTo(201);
            Rest.Response reg = rest.post("/api/v1/dih/data-sources", """
                    {"source_name": "sql_ledger", "source_type": "postgresql", "sync_mode": "NONE", "consistency_level": "STRONG",
                     "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s"},
                     "target_regions": ["sql_accounts"], "bindings": {"sql_accounts": {"table": "sql_accounts"}}}"""
                    .formatted(pg.port(), pg.database(), pg.user(), pg.password()));
            assertThat(reg.status()).as(reg.toString()).isEqualTo(201);

            assertThat(sql(rest, "{\"query\": \"INSERT INTO sql_accounts (id, owner, balance) VALUES (?, ?, ?), (?, ?, ?)\", "
                    + "\"params\": [1, \"alice\", 100.00, 2, \"bob\", 5.50]}").body()).isEqualTo("{\"updated\":2}");
            assertThat(dbRow(pg, 1)).isEqualTo("alice|100.00");
            assertThat(dbRow(pg, 2)).isEqualTo("bob|5.50");

            assertThat(sql(rest, "{\"query\": \"UPDATE sql_accounts SET balance = balance - ? WHERE id = ?\", \"params\": [30.25, 1]}").body())
                    .isEqualTo("{\"updated\":1}");
            assertThat(dbRow(pg, 1)).isEqualTo("alice|69.75");

            // the database refuses (CHECK, NOT NULL): 422, and neither the database nor the region changes
            Rest.Response overdraw = sql(rest, "{\"query\": \"UPDATE sql_accounts SET balance = balance - ? WHERE id = ?\", \"params\": [10, 2]}");
            assertThat(overdraw.status()).as(overdraw.toString()).isEqualTo(422);
            assertThat(overdraw.contentType()).startsWith("application/problem+json");
            assertThat(overdraw.body()).doesNotContain(pg.password());
            assertThat(dbRow(pg, 2)).isEqualTo("bob|5.50");
            assertThat(sql(rest, "{\"query\": \"SELECT balance FROM sql_accounts WHERE id = 2\"}").json().path("rows").get(0).get(0).decimalValue())
                    .isEqualByComparingTo("5.50");
            Rest.Response noOwner = sql(rest, "{\"query\": \"INSERT INTO sql_accounts (id, balance) VALUES (?, ?)\", \"params\": [3, 1]}");
            assertThat(noOwner.status()).as(noOwner.toString()).isEqualTo(422);
            assertThat(dbRow(pg, 3)).isNull();
            assertThat(rest.get(REGIONS + "/sql_accounts/entries/3").status()).isEqualTo(404);

            assertThat(sql(rest, "{\"query\": \"DELETE FROM sql_accounts WHERE owner = ?\", \"params\": [\"bob\"]}").body()).isEqualTo("{\"updated\":1}");
            assertThat(dbRow(pg, 2)).isNull();
        }
    }

    static Rest.Response sql(Rest rest, String body) {
        return rest.post(SQL, body);
    }
}
