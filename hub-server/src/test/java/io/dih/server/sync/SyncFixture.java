package io.dih.server.sync;

import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.TestingPostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the sync tests share: a PostgreSQL of the test class's own (so it can be suspended for outages) and a
 * two-node hub with a quick write-behind (short batching delay and backoff), both started once per class.
 */
abstract class SyncFixture {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final String SOURCES = "/api/v1/dih/data-sources";

    static TestingPostgresServer pg;
    static TestingHubCluster cluster;
    static Rest rest;
    static Rest rest2;

    @BeforeAll
    static void start() {
        pg = TestingPostgresServer.start();
        cluster = TestingHubCluster.start(2, t -> t.putObject("sync").putObject("write_behind")
                .put("flush_delay_ms", 50).put("initial_backoff_ms", 100).put("max_backoff_ms", 1000));
        rest = new Rest(cluster.node(0).baseUrl());
        rest2 = new Rest(cluster.node(1).baseUrl());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    /** A source body for {@code pg}: {@code extra} is more spec fields, each followed by a comma. */
    static String source(String name, String region, String table, String extra) {
        return """
                {"source_name": "%s", "source_type": "postgresql", %s
                 "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s",
                                       "connect_timeout_seconds": 2},
                 "target_regions": ["%s"], "bindings": {"%s": {"table": "%s"}}}"""
                .formatted(name, extra, pg.port(), pg.database(), pg.user(), pg.password(), region, region, table);
    }

    /** The single number a query of {@code pg} returns. */
    static long count(String sql) throws Exception {
        try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
