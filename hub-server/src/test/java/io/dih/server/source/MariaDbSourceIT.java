package io.dih.server.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import io.dih.testing.TestingMariaDbServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** MariaDB (and so MySQL) sources against a real MariaDB 11.4: composite keys, loads, reloads, bad credentials. */
class MariaDbSourceIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final String SOURCES = "/api/v1/dih/data-sources";

    @Test
    void compositeKeyTableLoadsAndReloads() {
        TestingMariaDbServer db = TestingMariaDbServer.shared();
        db.execute("CREATE TABLE features (entity_id VARCHAR(64) NOT NULL, feature_name VARCHAR(64) NOT NULL, version INT NOT NULL, "
                        + "feature_value DOUBLE, updated_at DATETIME(3), PRIMARY KEY (entity_id, feature_name, version))",
                "INSERT INTO features VALUES ('user_1', 'clicks_7d', 1, 42, NOW(3)), ('user_1', 'spend_30d', 1, 310.5, NOW(3)), "
                        + "('user_2', 'clicks_7d', 1, 3, NOW(3))");
        try (TestingHubCluster cluster = TestingHubCluster.start(1)) {
            Rest rest = new Rest(cluster.node(0).baseUrl());
            assertThat(rest.post(REGIONS, """
                    {"name": "ml_features_online", "key_fields": ["entity_id", "feature_name", "version"],
                     "fields": {"entity_id": "VARCHAR", "feature_name": "VARCHAR", "version": "INT", "feature_value": "DOUBLE"}}""").status())
                    .isEqualTo(201);
            String body = """
                    {"source_name": "features_db", "source_type": "mariadb",
                     "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s"},
                     "target_regions": ["ml_features_online"], "bindings": {"ml_features_online": {"table": "features"}}}"""
                    .formatted(db.port(), db.database(), db.user(), db.password());
            Rest.Response r = rest.post(SOURCES, body);
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            Await.until(Duration.ofSeconds(60), "the features are loaded",
                    () -> rest.get(SOURCES + "/features_db/status").json().path("regions").path("ml_features_online").path("rows_loaded").asLong() == 3
                            && "IDLE".equals(rest.get(SOURCES + "/features_db/status").json().path("state").asText()));
            JsonNode row = rest.get(REGIONS + "/ml_features_online/entries/user_1,spend_30d,1").json();
            assertThat(row.path("feature_value").asDouble()).isEqualTo(310.5);
            assertThat(row.path("updated_at").asText()).as("a new column from the table").isNotEmpty();

            db.execute("DELETE FROM features WHERE entity_id = 'user_2'", "UPDATE features SET feature_value = 43 WHERE feature_name = 'clicks_7d'");
            assertThat(rest.post(SOURCES + "/features_db/sync", "").status()).isEqualTo(202);
            Await.until(Duration.ofSeconds(60), "the reload removed user_2 and updated clicks",
                    () -> rest.get(REGIONS + "/ml_features_online/entries/user_2,clicks_7d,1").status() == 404
                            && rest.get(REGIONS + "/ml_features_online/entries/user_1,clicks_7d,1").json().path("feature_value").asDouble() == 43);

            Rest.Response denied = rest.post(SOURCES, body.replace("features_db", "other").replace(db.password(), "wrong-one"));
            assertThat(denied.status()).as(denied.toString()).isEqualTo(400);
            assertThat(denied.json().path("field").asText()).isEqualTo("connection_params.password");
            assertThat(denied.body()).doesNotContain("wrong-one").doesNotContain(db.password());
        }
    }
}
