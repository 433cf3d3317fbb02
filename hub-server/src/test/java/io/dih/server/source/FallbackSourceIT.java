package io.dih.server.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.TestingPostgresServer;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/** Seed 000's primary/fallback: a read-through that the primary does not answer in time is answered by the fallback. */
class FallbackSourceIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final String SOURCES = "/api/v1/dih/data-sources";

    static String source(TestingPostgresServer pg, String name, String table, String extra) {
        return """
                {"source_name": "%s", "source_type": "postgresql", "sync_mode": "NONE",
                 "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s"},
                 "target_regions": ["profiles"], "bindings": {"profiles": {"table": "%s"}}%s}"""
                .formatted(name, pg.port(), pg.database(), pg.user(), pg.password(), table, extra);
    }

    @Test
    void timedOutPrimaryFallsBack() throws Exception {
        TestingPostgresServer pg = TestingPostgresServer.shared();
        pg.execute("CREATE TABLE fb_primary (id BIGINT PRIMARY KEY, name TEXT)", "CREATE TABLE fb_replica (id BIGINT PRIMARY KEY, name TEXT)",
                "INSERT INTO fb_primary SELECT g, 'primary-' || g FROM generate_series(1, 10) g",
                "INSERT INTO fb_replica SELECT g, 'replica-' || g FROM generate_series(1, 10) g");
        try (TestingHubCluster cluster = TestingHubCluster.start(1)) {
            Rest rest = new Rest(cluster.node(0).baseUrl());
            assertThat(rest.post(REGIONS, "{\"name\": \"profiles\", \"cache_strategy\": \"READ_THROUGH\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
            Rest.Response missing = rest.post(SOURCES, source(pg, "main", "fb_primary", ", \"fallback_source\": \"replica\""));
            assertThat(missing.status()).as(missing.toString()).isEqualTo(400);
            assertThat(missing.json().path("field").asText()).isEqualTo("fallback_source");
            assertThat(rest.post(SOURCES, source(pg, "replica", "fb_replica", "")).status()).isEqualTo(201);
            Rest.Response main = rest.post(SOURCES, source(pg, "main", "fb_primary", ", \"fallback_source\": \"replica\", \"read_timeout_ms\": 500"));
            assertThat(main.status()).as(main.toString()).isEqualTo(201);

            assertThat(rest.get(REGIONS + "/profiles/entries/1").json().path("name").asText()).isEqualTo("primary-1");

            try (Connection locker = pg.connect()) {
                locker.setAutoCommit(false);
                locker.createStatement().execute("LOCK TABLE fb_primary IN ACCESS EXCLUSIVE MODE");
                long t0 = System.nanoTime();
                JsonNode row = rest.get(REGIONS + "/profiles/entries/2").json();
                assertThat(row.path("name").asText()).as("answered by the fallback").isEqualTo("replica-2");
                assertThat((System.nanoTime() - t0) / 1_000_000).as("within the timeout plus the fallback's read").isLessThan(30_000);
                locker.rollback();
            }
            JsonNode reads = rest.get(SOURCES + "/main/status").json().path("read_through");
            assertThat(reads.path("timeouts").asLong()).isGreaterThanOrEqualTo(1);
            assertThat(reads.path("fallbacks").asLong()).isGreaterThanOrEqualTo(1);
            assertThat(rest.get(REGIONS + "/profiles/entries/3").json().path("name").asText()).as("the primary again").isEqualTo("primary-3");

            assertThat(rest.delete(SOURCES + "/replica").status()).as("still the fallback of main").isEqualTo(409);
            assertThat(rest.delete(SOURCES + "/main").status()).isEqualTo(204);
            assertThat(rest.delete(SOURCES + "/replica").status()).isEqualTo(204);
        }
    }
}
