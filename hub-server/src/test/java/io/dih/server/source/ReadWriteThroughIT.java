package io.dih.server.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import io.dih.testing.TestingPostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * READ_THROUGH and WRITE_THROUGH against a real PostgreSQL of this test's own (it is stopped halfway): misses load
 * from the database, writes commit there first, and the cache never holds a value the database refused.
 */
class ReadWriteThroughIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final String SOURCES = "/api/v1/dih/data-sources";

    static String source(TestingPostgresServer pg, String name, String region) {
        return source(pg, name, region, "accounts");
    }

    static String source(TestingPostgresServer pg, String name, String region, String table) {
        return """
                {"source_name": "%s", "source_type": "postgresql", "sync_mode": "NONE", "consistency_level": "STRONG",
                 "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s",
                                       "connect_timeout_seconds": 2},
                 "target_regions": ["%s"], "bindings": {"%s": {"table": "%s"}}}"""
                .formatted(name, pg.port(), pg.database(), pg.user(), pg.password(), region, region, table);
    }

    static JsonNode dbRow(TestingPostgresServer pg, long id) throws Exception {
        try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT owner, balance FROM accounts WHERE id = " + id)) {
            if (!rs.next()) {
                return null;
            }
            return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                    .put("owner", rs.getString(1)).put("balance", rs.getBigDecimal(2));
        }
    }

    @Test
    void readThroughWriteThroughRejectionsAndOutage() throws Exception {
        try (TestingPostgresServer pg = TestingPostgresServer.start(); TestingHubCluster cluster = TestingHubCluster.start(1)) {
            pg.execute("CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner TEXT NOT NULL, balance NUMERIC(12,2) CHECK (balance >= 0))",
                    "INSERT INTO accounts VALUES (1, 'alice', 100.00), (2, 'bob', 5.00)");
            Rest rest = new Rest(cluster.node(0).baseUrl());
            assertThat(rest.post(REGIONS, "{\"name\": \"accounts\", \"cache_strategy\": \"WRITE_THROUGH\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
            Rest.Response reg = rest.post(SOURCES, source(pg, "ledger", "accounts"));
            assertThat(reg.status()).as(reg.toString()).isEqualTo(201);

            // read-through: nothing was loaded (sync_mode NONE), a miss reads the row
            assertThat(rest.get(REGIONS + "/accounts/stats").json().path("total").path("size").asLong()).isZero();
            assertThat(rest.get(REGIONS + "/accounts/entries/1").json().path("owner").asText()).isEqualTo("alice");
            assertThat(rest.get(REGIONS + "/accounts/entries/99").status()).isEqualTo(404);

            // write-through: the database has the row once the hub answers
            assertThat(rest.put(REGIONS + "/accounts/entries/3", "{\"owner\": \"carol\", \"balance\": 30}").status()).isEqualTo(201);
            assertThat(dbRow(pg, 3).path("owner").asText()).isEqualTo("carol");
            assertThat(rest.put(REGIONS + "/accounts/entries/1", "{\"owner\": \"alice\", \"balance\": 90}").status()).isEqualTo(200);
            assertThat(dbRow(pg, 1).path("balance").decimalValue()).isEqualByComparingTo("90");

            // the database refuses: 422, and neither side changes
            Rest.Response rejected = rest.put(REGIONS + "/accounts/entries/2", "{\"owner\": \"bob\", \"balance\": -50}");
            assertThat(rejected.status()).as(rejected.toString()).isEqualTo(422);
            assertThat(rejected.contentType()).startsWith("application/problem+json");
            assertThat(rejected.body()).doesNotContain(pg.password());
            assertThat(dbRow(pg, 2).path("balance").decimalValue()).isEqualByComparingTo("5");
            assertThat(rest.get(REGIONS + "/accounts/entries/2").json().path("balance").decimalValue()).isEqualByComparingTo("5");
            assertThat(rest.put(REGIONS + "/accounts/entries/4", "{\"balance\": 1}").status()).as("owner is NOT NULL").isEqualTo(422);
            assertThat(rest.get(REGIONS + "/accounts/entries/4").status()).isEqualTo(404);
            assertThat(dbRow(pg, 4)).isNull();

            // removal goes through too
            assertThat(rest.delete(REGIONS + "/accounts/entries/3").status()).isEqualTo(204);
            assertThat(dbRow(pg, 3)).isNull();

            // the database goes away: writes fail with 503 and the cache keeps the last good value; the node stays up
            pg.close();
            Rest.Response down = rest.put(REGIONS + "/accounts/entries/1", "{\"owner\": \"alice\", \"balance\": 1}");
            assertThat(down.status()).as(down.toString()).isEqualTo(503);
            assertThat(rest.get(REGIONS + "/accounts/entries/1").json().path("balance").decimalValue()).isEqualByComparingTo("90");
            assertThat(rest.get("/api/v1/dih/health").status()).isEqualTo(200);
        }
    }

    /** owner, balance and note of a patch_accounts row as text ("null" for NULL), or {@code null} when there is no row. */
    static String patchRow(TestingPostgresServer pg, long id) throws Exception {
        try (Connection c = pg.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT owner, balance, note FROM patch_accounts WHERE id = " + id)) {
            return rs.next() ? rs.getString(1) + "|" + rs.getBigDecimal(2) + "|" + rs.getString(3) : null;
        }
    }

    @Test
    void patchOfAWriteThroughRegionLeavesTheOtherColumnsInTheDatabase() throws Exception {
        try (TestingHubCluster cluster = TestingHubCluster.start(1)) {
            TestingPostgresServer pg = TestingPostgresServer.shared();
            pg.execute("DROP TABLE IF EXISTS patch_accounts",
                    "CREATE TABLE patch_accounts (id BIGINT PRIMARY KEY, owner TEXT NOT NULL, balance NUMERIC(12,2) CHECK (balance >= 0), note TEXT)",
                    "INSERT INTO patch_accounts VALUES (1, 'alice', 100.00, 'vip'), (2, 'bob', 5.00, 'new')");
            Rest rest = new Rest(cluster.node(0).baseUrl());
            assertThat(rest.post(REGIONS, "{\"name\": \"patch_accounts\", \"cache_strategy\": \"WRITE_THROUGH\", \"fields\": {\"id\": \"BIGINT\"}}")
                    .status()).isEqualTo(201);
            assertThat(rest.post(SOURCES, source(pg, "patch_ledger", "patch_accounts", "patch_accounts")).status()).isEqualTo(201);

            // the row is in the database only: PATCH reads it through, merges, and writes the whole row back
            Rest.Response merged = rest.patch(REGIONS + "/patch_accounts/entries/1", "{\"balance\": 90}");
            assertThat(merged.status()).as(merged.toString()).isEqualTo(200);
            assertThat(merged.json().path("owner").asText()).isEqualTo("alice");
            assertThat(merged.json().path("note").asText()).isEqualTo("vip");
            assertThat(patchRow(pg, 1)).isEqualTo("alice|90.00|vip");

            // now in the hub too: a null sets that column only
            assertThat(rest.patch(REGIONS + "/patch_accounts/entries/1", "{\"note\": null}").status()).isEqualTo(200);
            assertThat(patchRow(pg, 1)).isEqualTo("alice|90.00|null");
            assertThat(rest.get(REGIONS + "/patch_accounts/entries/1").json().path("balance").decimalValue()).isEqualByComparingTo("90");

            // the database refuses the merged row: 422, and neither side changes
            assertThat(rest.get(REGIONS + "/patch_accounts/entries/2").status()).isEqualTo(200);
            Rest.Response refused = rest.patch(REGIONS + "/patch_accounts/entries/2", "{\"balance\": -1, \"note\": \"x\"}");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
            assertThat(patchRow(pg, 2)).isEqualTo("bob|5.00|new");
            assertThat(rest.get(REGIONS + "/patch_accounts/entries/2").json().path("note").asText()).isEqualTo("new");

            // a key in neither is a 404 and creates no row anywhere; an unknown column changes nothing
            assertThat(rest.patch(REGIONS + "/patch_accounts/entries/3", "{\"owner\": \"carol\"}").status()).isEqualTo(404);
            assertThat(patchRow(pg, 3)).isNull();
            assertThat(rest.patch(REGIONS + "/patch_accounts/entries/2", "{\"note\": \"y\", \"nope\": 1}").status()).isEqualTo(400);
            assertThat(patchRow(pg, 2)).isEqualTo("bob|5.00|new");

            // what PATCH is for: PUT replaces, so the same two-column change nulls the others (owner is NOT NULL)
            assertThat(rest.put(REGIONS + "/patch_accounts/entries/1", "{\"balance\": 80}").status()).isEqualTo(422);
            assertThat(patchRow(pg, 1)).isEqualTo("alice|90.00|null");
        }
    }

    /**
     * A batch get's misses are read from the source together ({@code Connector.readAll}: IN lists of 256 keys), matched
     * back to their keys whatever order the rows come in; plain and composite keys, keys the source lacks, a key asked
     * twice.
     */
    @Test
    void batchGetMissesAreReadFromTheSourceTogether() throws Exception {
        try (TestingHubCluster cluster = TestingHubCluster.start(1)) {
            TestingPostgresServer pg = TestingPostgresServer.shared();
            pg.execute("DROP TABLE IF EXISTS many", "CREATE TABLE many (id BIGINT PRIMARY KEY, owner TEXT NOT NULL, balance NUMERIC(12,2))",
                    "INSERT INTO many SELECT g, 'owner-' || g, g FROM generate_series(1, 600) g",
                    "DROP TABLE IF EXISTS lines", "CREATE TABLE lines (order_id BIGINT, line INT, qty INT NOT NULL, PRIMARY KEY (order_id, line))",
                    "INSERT INTO lines SELECT g / 10, g % 10, g FROM generate_series(10, 399) g");
            Rest rest = new Rest(cluster.node(0).baseUrl());
            assertThat(rest.post(REGIONS, "{\"name\": \"many\", \"cache_strategy\": \"READ_THROUGH\", \"fields\": {\"id\": \"BIGINT\"}}").status())
                    .isEqualTo(201);
            assertThat(rest.post(SOURCES, source(pg, "many_src", "many", "many")).status()).isEqualTo(201);
            assertThat(rest.post(REGIONS, "{\"name\": \"lines\", \"cache_strategy\": \"READ_THROUGH\", \"key_fields\": [\"order_id\", \"line\"], "
                    + "\"fields\": {\"order_id\": \"BIGINT\", \"line\": \"INTEGER\"}}").status()).isEqualTo(201);
            assertThat(rest.post(SOURCES, source(pg, "lines_src", "lines", "lines")).status()).isEqualTo(201);

            StringBuilder keys = new StringBuilder("[");
            for (int id = 999; id >= 1; id--) { // 999 keys and 7 again: the most one call takes
                keys.append(id == 999 ? "" : ", ").append(id);
            }
            keys.append(", 7]");
            Rest.Response got = rest.post(REGIONS + "/many/entries/batch-get", "{\"keys\": " + keys + "}");
            assertThat(got.status()).as(got.toString()).isEqualTo(200);
            assertThat(got.json().path("entries").size()).isEqualTo(600);
            assertThat(got.json().path("entries").path("1").path("owner").asText()).isEqualTo("owner-1");
            assertThat(got.json().path("entries").path("600").path("balance").decimalValue()).isEqualByComparingTo("600");
            assertThat(got.json().path("missing").size()).isEqualTo(399);
            assertThat(rest.get(REGIONS + "/many/stats").json().path("total").path("size").asLong()).as("what was read is cached").isEqualTo(600);

            Rest.Response lines = rest.post(REGIONS + "/lines/entries/batch-get", "{\"keys\": [\"1,0\", \"39,9\", \"12,3\", \"40,0\", \"0,5\"]}");
            assertThat(lines.status()).as(lines.toString()).isEqualTo(200);
            assertThat(lines.json().path("entries").path("1,0").path("qty").asInt()).isEqualTo(10);
            assertThat(lines.json().path("entries").path("39,9").path("qty").asInt()).isEqualTo(399);
            assertThat(lines.json().path("entries").path("12,3").path("qty").asInt()).isEqualTo(123);
            assertThat(lines.json().path("missing")).hasSize(2);
        }
    }

    @Test
    void readThroughEntriesExpireLikeAnyOther() throws Exception {
        try (TestingHubCluster cluster = TestingHubCluster.start(1)) {
            TestingPostgresServer pg = TestingPostgresServer.shared();
            pg.execute("CREATE TABLE IF NOT EXISTS accounts (id BIGINT PRIMARY KEY, owner TEXT NOT NULL, balance NUMERIC(12,2))",
                    "INSERT INTO accounts VALUES (77, 'ttl', 1) ON CONFLICT DO NOTHING");
            Rest rest = new Rest(cluster.node(0).baseUrl());
            assertThat(rest.post(REGIONS, "{\"name\": \"hot\", \"cache_strategy\": \"READ_THROUGH\", \"expiry_policy\": {\"create\": 1}, "
                    + "\"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
            assertThat(rest.post(SOURCES, source(pg, "ttl_src", "hot")).status()).isEqualTo(201);
            assertThat(rest.get(REGIONS + "/hot/entries/77").json().path("owner").asText()).isEqualTo("ttl");
            assertThat(rest.get(REGIONS + "/hot/stats").json().path("total").path("size").asLong()).isEqualTo(1);
            Await.until(Duration.ofSeconds(15), "the read-through entry expired from the region (IGNITE-3699)",
                    () -> rest.get(REGIONS + "/hot/stats").json().path("total").path("size").asLong() == 0);
            assertThat(rest.get(REGIONS + "/hot/entries/77").status()).as("and reads through again").isEqualTo(200);
        }
    }
}
