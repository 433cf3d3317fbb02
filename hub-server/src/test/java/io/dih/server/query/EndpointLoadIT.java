package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import io.dih.testing.TestingPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Endpoints declared in the bootstrap file, and cached answers dropped by loads and CDC from a real PostgreSQL. */
class EndpointLoadIT {
    static final String QUERY = "/api/v1/dih/query/";
    static final String SOURCES = "/api/v1/dih/data-sources";

    static TestingPostgresServer pg;
    static TestingHubCluster cluster;
    static Rest rest;

    @BeforeAll
    static void start() throws IOException {
        pg = TestingPostgresServer.shared();
        Path bootstrap = Files.createTempFile("dih-endpoints-", ".yaml");
        Files.writeString(bootstrap, """
                regions:
                  - name: tiers
                    key_fields: [id]
                    fields: {id: BIGINT, tier: VARCHAR}
                entries:
                  tiers:
                    "1": {tier: gold}
                    "2": {tier: silver}
                endpoints:
                  - path: tiers/by-name
                    cache_regions: [tiers]
                    query_template: "SELECT id FROM tiers WHERE tier = '{tier}'"
                    cache_key_pattern: "tier:{tier}"
                    ttl_seconds: 30
                    parameters:
                      tier: {type: VARCHAR, default: gold}
                """);
        cluster = TestingHubCluster.start(1, tree -> tree.put("bootstrap", bootstrap.toString()));
        rest = new Rest(cluster.node(0).baseUrl());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static JsonNode ok(Rest.Response r) {
        assertThat(r.status()).as(r.toString()).isBetween(200, 299);
        return r.body().isEmpty() ? null : r.json();
    }

    @Test
    void bootstrapFileDeclaresEndpoints() {
        JsonNode spec = ok(rest.get("/api/v1/dih/api-endpoints/tiers/by-name"));
        assertThat(spec.path("parameters").path("tier").path("default").asText()).isEqualTo("gold");
        assertThat(ok(rest.post(QUERY + "tiers/by-name", "")).path("rows").get(0).path("id").asLong()).isEqualTo(1);
        assertThat(ok(rest.get(QUERY + "tiers/by-name?tier=silver")).path("rows").get(0).path("id").asLong()).isEqualTo(2);
    }

    static JsonNode awaitAnswer(String what, String path, java.util.function.Predicate<JsonNode> done) {
        JsonNode[] last = new JsonNode[1];
        Await.until(Duration.ofSeconds(60), what, () -> {
            last[0] = ok(rest.get(QUERY + path));
            return done.test(last[0]);
        });
        return last[0];
    }

    @Test
    void loadsDropCachedAnswers() {
        pg.execute("CREATE TABLE stock (sku TEXT PRIMARY KEY, qty INT NOT NULL)", "INSERT INTO stock VALUES ('a', 1), ('b', 5)");
        ok(rest.post("/api/v1/dih/cache-regions", "{\"name\": \"stock\", \"key_fields\": [\"sku\"], \"fields\": {\"sku\": \"VARCHAR\", \"qty\": \"INT\"}}"));
        ok(rest.post("/api/v1/dih/api-endpoints", "{\"path\": \"stock/of\", \"cache_regions\": [\"stock\"], "
                + "\"query_template\": \"SELECT qty FROM stock WHERE sku = {sku}\", \"ttl_seconds\": 600}"));
        // an empty answer is cached while the region is empty...
        awaitAnswer("an empty answer from the cache", "stock/of?sku=a", a -> a.path("cached").asBoolean() && a.path("rows").isEmpty());
        // ...and the first load (the streamer writes an empty region's partitions directly) drops it
        ok(rest.post(SOURCES, "{\"source_name\": \"inventory\", \"source_type\": \"postgresql\", \"connection_params\": {\"host\": \"127.0.0.1\", "
                + "\"port\": " + pg.port() + ", \"database\": \"" + pg.database() + "\", \"user\": \"" + pg.user() + "\", \"password\": \""
                + pg.password() + "\"}, \"target_regions\": [\"stock\"]}"));
        awaitAnswer("the loaded row, not the cached empty answer", "stock/of?sku=a",
                a -> !a.path("cached").asBoolean() && a.path("rows").size() == 1 && a.path("rows").get(0).path("qty").asInt() == 1);
        awaitAnswer("the loaded row from the cache", "stock/of?sku=a", a -> a.path("cached").asBoolean());
        // a reload over existing rows
        pg.execute("UPDATE stock SET qty = 2 WHERE sku = 'a'");
        ok(rest.post(SOURCES + "/inventory/sync", ""));
        awaitAnswer("the reloaded value", "stock/of?sku=a",
                a -> !a.path("cached").asBoolean() && a.path("rows").get(0).path("qty").asInt() == 2);
    }

    @Test
    void cdcChangesAndTruncatesDropCachedAnswers() {
        pg.execute("CREATE TABLE cdc_stock (sku TEXT PRIMARY KEY, qty INT NOT NULL)", "INSERT INTO cdc_stock VALUES ('a', 1), ('b', 5)");
        ok(rest.post("/api/v1/dih/cache-regions", "{\"name\": \"cdc_stock\", \"key_fields\": [\"sku\"], \"fields\": {\"sku\": \"VARCHAR\"}}"));
        ok(rest.post(SOURCES, "{\"source_name\": \"stock_cdc\", \"source_type\": \"postgresql\", \"sync_mode\": \"CDC\", "
                + "\"connection_params\": {\"host\": \"127.0.0.1\", \"port\": " + pg.port() + ", \"database\": \"" + pg.database()
                + "\", \"user\": \"" + pg.user() + "\", \"password\": \"" + pg.password() + "\"}, \"target_regions\": [\"cdc_stock\"]}"));
        Await.until(Duration.ofSeconds(60), "the CDC snapshot", () -> rest.get("/api/v1/dih/cache-regions/cdc_stock/entries/b").status() == 200);
        ok(rest.post("/api/v1/dih/api-endpoints", "{\"path\": \"cdc/stock\", \"cache_regions\": [\"cdc_stock\"], "
                + "\"query_template\": \"SELECT qty FROM cdc_stock WHERE sku = {sku}\", \"ttl_seconds\": 600}"));
        awaitAnswer("the snapshot row from the cache", "cdc/stock?sku=a",
                a -> a.path("cached").asBoolean() && a.path("rows").size() == 1 && a.path("rows").get(0).path("qty").asInt() == 1);
        pg.execute("UPDATE cdc_stock SET qty = 7 WHERE sku = 'a'");
        awaitAnswer("the CDC update, not the cached answer", "cdc/stock?sku=a",
                a -> !a.path("cached").asBoolean() && a.path("rows").size() == 1 && a.path("rows").get(0).path("qty").asInt() == 7);
        awaitAnswer("the updated row from the cache", "cdc/stock?sku=a", a -> a.path("cached").asBoolean());
        // a truncate clears the region (no per-entry events): the hub marks it changed itself
        pg.execute("TRUNCATE cdc_stock");
        awaitAnswer("no row after the truncate", "cdc/stock?sku=a", a -> !a.path("cached").asBoolean() && a.path("rows").isEmpty());
        ok(rest.delete("/api/v1/dih/api-endpoints/cdc/stock"));
        ok(rest.delete(SOURCES + "/stock_cdc"));
    }
}
