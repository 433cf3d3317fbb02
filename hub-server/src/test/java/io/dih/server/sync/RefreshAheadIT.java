package io.dih.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.TestingPostgresServer;
import org.junit.jupiter.api.Test;

/**
 * REFRESH_AHEAD against a real PostgreSQL: a key read all the time never misses over several lifetimes and follows the
 * database; a key read once expires like any other.
 */
class RefreshAheadIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";

    static long misses(Rest rest) {
        return rest.get(REGIONS + "/prices/stats").json().path("total").path("misses").asLong();
    }

    @Test
    void aHotKeyNeverMissesWhileAColdKeyExpires() throws Exception {
        TestingPostgresServer pg = TestingPostgresServer.shared();
        pg.execute("DROP TABLE IF EXISTS ra_prices", "CREATE TABLE ra_prices (id BIGINT PRIMARY KEY, price NUMERIC(10,2))",
                "INSERT INTO ra_prices VALUES (1, 10.00), (2, 20.00)");
        try (TestingHubCluster cluster = TestingHubCluster.start(1)) {
            Rest rest = new Rest(cluster.node(0).baseUrl());
            Rest.Response created = rest.post(REGIONS, """
                    {"name": "prices", "cache_strategy": "REFRESH_AHEAD", "expiry_policy": {"create": 2}, "refresh_ahead_factor": 0.5,
                     "fields": {"id": "BIGINT"}}""");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertThat(created.json().path("refresh_ahead_factor").asDouble()).isEqualTo(0.5);
            Rest.Response reg = rest.post("/api/v1/dih/data-sources", """
                    {"source_name": "price_db", "source_type": "postgresql", "sync_mode": "NONE",
                     "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s"},
                     "target_regions": ["prices"], "bindings": {"prices": {"table": "ra_prices"}}}"""
                    .formatted(pg.port(), pg.database(), pg.user(), pg.password()));
            assertThat(reg.status()).as(reg.toString()).isEqualTo(201);

            assertThat(rest.get(REGIONS + "/prices/entries/1").status()).isEqualTo(200); // a miss: loaded
            assertThat(rest.get(REGIONS + "/prices/entries/2").status()).isEqualTo(200); // a miss: loaded, then never read again
            long before = misses(rest);
            long end = System.currentTimeMillis() + 8000; // four lifetimes
            boolean changed = false;
            String last = null;
            while (System.currentTimeMillis() < end) {
                Rest.Response r = rest.get(REGIONS + "/prices/entries/1");
                assertThat(r.status()).isEqualTo(200);
                last = r.json().path("price").decimalValue().stripTrailingZeros().toPlainString();
                if (!changed && end - System.currentTimeMillis() < 5000) {
                    pg.execute("UPDATE ra_prices SET price = 11.50 WHERE id = 1");
                    changed = true;
                }
                Thread.sleep(100);
            }
            assertThat(misses(rest) - before).as("the hot key never missed").isZero();
            assertThat(last).as("refreshes follow the database").isEqualTo("11.5");

            assertThat(rest.get(REGIONS + "/prices/entries/2").status()).isEqualTo(200);
            assertThat(misses(rest) - before).as("the cold key expired and was read through again").isEqualTo(1);

            JsonNode ra = rest.get("/api/v1/dih/data-sources/price_db/status").json().path("regions").path("prices").path("refresh_ahead");
            assertThat(ra.path("refreshes").asLong()).isGreaterThanOrEqualTo(4);
            assertThat(ra.path("misses_avoided").asLong()).isPositive();
            assertThat(ra.path("failures").asLong()).isZero();
            assertThat(rest.get("/api/v1/dih/metrics").body()).contains("dih_refresh_ahead_refreshes{");
        }
    }
}
