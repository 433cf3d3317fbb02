package io.dih.server.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import io.dih.testing.TestingPostgresServer;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PostgreSQL sources against a real PostgreSQL 17 and a real hub node: registration, loads, reloads, bad input. */
class PostgresSourceIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final String SOURCES = "/api/v1/dih/data-sources";

    static TestingPostgresServer pg;
    static TestingHubCluster cluster;
    static Rest rest;

    @BeforeAll
    static void start() {
        pg = TestingPostgresServer.shared();
        cluster = TestingHubCluster.start(1);
        rest = new Rest(cluster.node(0).baseUrl());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static String params() {
        return "{\"host\": \"127.0.0.1\", \"port\": " + pg.port() + ", \"database\": \"" + pg.database() + "\", \"user\": \""
                + pg.user() + "\", \"password\": \"" + pg.password() + "\"}";
    }

    static String source(String name, String regions, String extra) {
        return "{\"source_name\": \"" + name + "\", \"source_type\": \"postgresql\", \"connection_params\": " + params()
                + ", \"target_regions\": " + regions + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    static void assertProblem(Rest.Response r, int status, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        if (field != null) {
            assertThat(r.json().path("field").asText()).as(r.toString()).isEqualTo(field);
        }
        assertThat(r.body()).doesNotContain(pg.password());
    }

    static JsonNode awaitLoaded(String source, String region, long rows) {
        JsonNode[] last = new JsonNode[1];
        Await.until(Duration.ofSeconds(60), source + " loaded " + rows + " rows into " + region, () -> {
            last[0] = rest.get(SOURCES + "/" + source + "/status").json();
            JsonNode r = last[0].path("regions").path(region);
            if ("FAILED".equals(r.path("state").asText())) {
                throw new AssertionError("load failed: " + last[0]);
            }
            return "IDLE".equals(r.path("state").asText()) && r.path("rows_loaded").asLong() == rows && r.has("last_loaded_at");
        });
        return last[0];
    }

    /** A region answer's columns as "name type key origin". */
    static List<String> columns(JsonNode region) {
        List<String> out = new ArrayList<>();
        region.path("columns").forEach(c -> out.add(c.path("name").asText() + " " + c.path("type").asText() + " "
                + c.path("key").asBoolean() + " " + c.path("origin").asText()));
        return out;
    }

    static List<String> sourceNames() {
        List<String> names = new ArrayList<>();
        rest.get(SOURCES).json().path("sources").forEach(s -> names.add(s.path("source_name").asText()));
        return names;
    }

    @Test
    void tableLoadsIntoRegionAndFullReloadSeesUpdatesAndDeletes() throws Exception {
        pg.execute("CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT NOT NULL, tier TEXT, balance NUMERIC(12,2), "
                        + "created_at TIMESTAMPTZ NOT NULL DEFAULT now(), active BOOLEAN)",
                "INSERT INTO customers (id, name, tier, balance, active) SELECT g, 'customer-' || g, "
                        + "CASE WHEN g % 10 = 0 THEN 'gold' ELSE 'basic' END, g * 1.5, g % 2 = 0 FROM generate_series(1, 1000) g");
        assertThat(rest.post(REGIONS, "{\"name\": \"customers\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);

        Rest.Response created = rest.post(SOURCES, source("crm", "[\"customers\"]", "\"sync_interval_seconds\": 3600, \"consistency_level\": \"STRONG\""));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().path("connection_params").path("password").asText()).isEqualTo("******");
        assertThat(created.body()).doesNotContain(pg.password());

        JsonNode status = awaitLoaded("crm", "customers", 1000);
        JsonNode load = status.path("regions").path("customers");
        assertThat(load.path("rows_total").asLong()).isEqualTo(1000);
        assertThat(load.path("percent").asDouble()).isEqualTo(100.0);
        assertThat(load.path("kind").asText()).isEqualTo("full");

        JsonNode row = rest.get(REGIONS + "/customers/entries/42").json();
        assertThat(row.path("name").asText()).isEqualTo("customer-42");
        assertThat(row.path("tier").asText()).isEqualTo("basic");
        assertThat(row.path("balance").decimalValue()).isEqualByComparingTo("63.00");
        assertThat(row.path("active").asBoolean()).isTrue();
        assertThat(row.path("created_at").asText()).endsWith("Z");
        assertThat(rest.get(REGIONS + "/customers").json().path("fields").has("name")).as("the user's spec is unchanged").isFalse();

        // the region shows its real columns: the spec's key, then those the source's table brought, in table order
        List<String> expected = List.of("id BIGINT true spec", "name VARCHAR false source:crm", "tier VARCHAR false source:crm",
                "balance DECIMAL false source:crm", "created_at TIMESTAMP false source:crm", "active BOOLEAN false source:crm");
        assertThat(columns(rest.get(REGIONS + "/customers").json())).isEqualTo(expected);
        JsonNode listed = null;
        for (JsonNode r : rest.get(REGIONS).json().path("regions")) {
            listed = "customers".equals(r.path("name").asText()) ? r : listed;
        }
        assertThat(listed).isNotNull();
        assertThat(columns(listed)).isEqualTo(expected);
        // and a column error names them all, not just the spec's
        Rest.Response unknown = rest.put(REGIONS + "/customers/entries/42", "{\"name\": \"x\", \"colour\": \"red\"}");
        assertProblem(unknown, 400, "colour");
        assertThat(unknown.json().path("detail").asText()).contains("its columns are [id, name, tier, balance, created_at, active]");
        assertThat(rest.get(REGIONS + "/customers/entries/42").json().path("name").asText()).isEqualTo("customer-42");

        try (Connection c = DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(cluster.node(0).thinClientPort()));
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*), SUM(balance) FROM customers WHERE tier = 'gold'")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(100);
            assertThat(rs.getBigDecimal(2)).isEqualByComparingTo(new BigDecimal("75750.00"));
        }

        pg.execute("DELETE FROM customers WHERE id <= 10", "UPDATE customers SET name = 'renamed' WHERE id = 20",
                "INSERT INTO customers (id, name) VALUES (5000, 'newcomer')");
        Instant asked = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Rest.Response synced = rest.post(SOURCES + "/crm/sync", "");
        assertThat(synced.status()).as(synced.toString()).isEqualTo(202);
        JsonNode started = synced.json().path("regions").path("customers");
        assertThat(started.path("state").asText()).as("the answer shows the load it started: " + synced).isIn("QUEUED", "LOADING");
        assertThat(Instant.parse(started.path("started_at").asText())).as(synced.toString()).isAfterOrEqualTo(asked);
        assertThat(synced.json().path("state").asText()).isEqualTo("LOADING");
        status = awaitLoaded("crm", "customers", 991);
        assertThat(status.path("regions").path("customers").path("started_at").asText()).as("the same load, done")
                .isEqualTo(started.path("started_at").asText());
        assertThat(status.path("regions").path("customers").path("removed").asLong()).isEqualTo(10);
        assertThat(rest.get(REGIONS + "/customers/entries/5").status()).isEqualTo(404);
        assertThat(rest.get(REGIONS + "/customers/entries/20").json().path("name").asText()).isEqualTo("renamed");
        assertThat(rest.get(REGIONS + "/customers/entries/5000").json().path("name").asText()).isEqualTo("newcomer");
        assertThat(rest.get(REGIONS + "/customers/stats").json().path("total").path("size").asLong()).isEqualTo(991);

        // idempotent registration, conflicts, listing without secrets
        assertThat(rest.post(SOURCES, source("crm", "[\"customers\"]", "\"sync_interval_seconds\": 3600, \"consistency_level\": \"STRONG\"")).status()).isEqualTo(200);
        assertProblem(rest.post(SOURCES, source("crm", "[\"customers\"]", "")), 409, null);
        assertThat(rest.get(SOURCES).body()).contains("crm").doesNotContain(pg.password());
        assertThat(rest.get(SOURCES + "/crm").json().path("consistency_level").asText()).isEqualTo("STRONG");

        assertThat(rest.delete(SOURCES + "/crm").status()).isEqualTo(204);
        assertProblem(rest.get(SOURCES + "/crm/status"), 404, null);
        assertThat(rest.get(REGIONS + "/customers/entries/42").status()).as("the region keeps its data").isEqualTo(200);
    }

    @Test
    void periodicIncrementalLoadsFollowTheWatermark() {
        pg.execute("CREATE TABLE orders (order_id INT PRIMARY KEY, customer TEXT, total NUMERIC(10,2), updated_at TIMESTAMPTZ NOT NULL)",
                "INSERT INTO orders SELECT g, 'c' || (g % 7), g, now() - interval '1 hour' FROM generate_series(1, 100) g");
        assertThat(rest.post(REGIONS, "{\"name\": \"orders\", \"key_fields\": [\"order_id\"], \"fields\": {\"order_id\": \"INT\"}}").status()).isEqualTo(201);
        Rest.Response r = rest.post(SOURCES, source("shop", "[\"orders\"]",
                "\"sync_interval_seconds\": 1, \"bindings\": {\"orders\": {\"watermark_column\": \"updated_at\"}}"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        awaitLoaded("shop", "orders", 100);

        pg.execute("INSERT INTO orders SELECT g, 'late', g, now() + interval '1 minute' FROM generate_series(101, 105) g",
                "UPDATE orders SET total = 999, updated_at = now() + interval '1 minute' WHERE order_id = 1");
        Await.until(Duration.ofSeconds(30), "the scheduled incremental load brings the new and changed rows",
                () -> rest.get(REGIONS + "/orders/entries/105").status() == 200
                        && rest.get(REGIONS + "/orders/entries/1").json().path("total").decimalValue().compareTo(new BigDecimal("999")) == 0
                        // the load streams 101..105 in no set order: seeing 105 does not mean 101..104 are in yet
                        && rest.get(REGIONS + "/orders/stats").json().path("total").path("size").asLong() == 105);
        JsonNode load = rest.get(SOURCES + "/shop/status").json().path("regions").path("orders");
        assertThat(load.path("kind").asText()).isEqualTo("incremental");
        assertThat(load.path("watermark").asText()).isNotEmpty();
        assertThat(rest.get(REGIONS + "/orders/stats").json().path("total").path("size").asLong()).isEqualTo(105);
        assertThat(rest.delete(SOURCES + "/shop").status()).isEqualTo(204);
    }

    @Test
    void postgresTypesMapToRegionColumns() {
        pg.execute("CREATE TABLE typed_src (id UUID PRIMARY KEY, small SMALLINT, big BIGINT, real_v REAL, dbl DOUBLE PRECISION, "
                        + "num NUMERIC(20,4), flag BOOLEAN, day DATE, at_time TIME, ts TIMESTAMP, tstz TIMESTAMPTZ, doc JSONB, bytes BYTEA, tags TEXT[])",
                "INSERT INTO typed_src VALUES ('123e4567-e89b-12d3-a456-426614174000', 7, 9000000000, 1.5, 2.25, 12345.6789, true, "
                        + "'2024-02-29', '13:45:00', '2024-03-01 10:00:00', '2024-03-01 10:00:00+02', '{\"a\": [1, 2]}', '\\x010203', "
                        + "ARRAY['x','y'])");
        assertThat(rest.post(REGIONS, "{\"name\": \"typed_src\", \"fields\": {\"id\": \"UUID\"}}").status()).isEqualTo(201);
        Rest.Response r = rest.post(SOURCES, source("typed", "[\"typed_src\"]", ""));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        awaitLoaded("typed", "typed_src", 1);
        JsonNode spec = rest.get(REGIONS + "/typed_src/entries/123e4567-e89b-12d3-a456-426614174000").json();
        assertThat(spec.path("small").asInt()).isEqualTo(7);
        assertThat(spec.path("big").asLong()).isEqualTo(9_000_000_000L);
        assertThat(spec.path("real_v").asDouble()).isEqualTo(1.5);
        assertThat(spec.path("dbl").asDouble()).isEqualTo(2.25);
        assertThat(spec.path("num").decimalValue()).isEqualByComparingTo("12345.6789");
        assertThat(spec.path("flag").asBoolean()).isTrue();
        assertThat(spec.path("day").asText()).isEqualTo("2024-02-29");
        assertThat(spec.path("at_time").asText()).startsWith("13:45");
        assertThat(spec.path("tstz").asText()).isEqualTo("2024-03-01T08:00:00Z");
        assertThat(spec.path("doc").asText()).contains("\"a\"");
        assertThat(spec.path("bytes").asText()).isEqualTo("AQID");
        assertThat(spec.path("tags").asText()).isEqualTo("{x,y}");
        assertThat(rest.delete(SOURCES + "/typed").status()).isEqualTo(204);
    }

    @Test
    void cronScheduledLoads() {
        pg.execute("CREATE TABLE prices (sku TEXT PRIMARY KEY, price NUMERIC(10,2))", "INSERT INTO prices VALUES ('a', 1.00), ('b', 2.00)");
        assertThat(rest.post(REGIONS, "{\"name\": \"prices\", \"key_fields\": [\"sku\"]}").status()).isEqualTo(201);
        assertProblem(rest.post(SOURCES, source("pricing", "[\"prices\"]", "\"bindings\": {\"prices\": {\"schedule\": \"every minute\"}}")),
                400, "bindings.prices.schedule");
        Rest.Response r = rest.post(SOURCES, source("pricing", "[\"prices\"]", "\"bindings\": {\"prices\": {\"schedule\": \"* * * * * ?\"}}"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        awaitLoaded("pricing", "prices", 2);
        pg.execute("UPDATE prices SET price = 9.99 WHERE sku = 'a'", "INSERT INTO prices VALUES ('c', 3.00)");
        Await.until(Duration.ofSeconds(20), "the every-second schedule reloads the table",
                () -> rest.get(REGIONS + "/prices/entries/c").status() == 200
                        && rest.get(REGIONS + "/prices/entries/a").json().path("price").decimalValue().compareTo(new BigDecimal("9.99")) == 0);
        assertThat(rest.delete(SOURCES + "/pricing").status()).isEqualTo(204);
    }

    @Test
    void seedBodyWithAnUnreachableHostIsAClear400() {
        rest.post(REGIONS, "{\"name\": \"user_sessions\"}");
        Rest.Response r = rest.post(SOURCES, """
                {
                    "source_name": "auth_postgres",
                    "source_type": "postgresql",
                    "connection_params": {
                        "host": "postgresql",
                        "port": 5432,
                        "database": "auth_db"
                    },
                    "target_regions": ["user_sessions"],
                    "sync_interval_seconds": 300,
                    "consistency_level": "STRONG"
                }""");
        assertProblem(r, 400, "connection_params.host");
        assertThat(r.json().path("detail").asText()).contains("postgresql:5432");
        assertThat(sourceNames()).doesNotContain("auth_postgres");
    }

    @Test
    void badSourcesAre400AndRegisterNothing() {
        pg.execute("CREATE TABLE items (sku TEXT PRIMARY KEY, qty INT, label TEXT)", "INSERT INTO items VALUES ('a', 1, 'x')");
        rest.post(REGIONS, "{\"name\": \"items\"}");
        rest.post(REGIONS, "{\"name\": \"ghost\"}");
        rest.post(REGIONS, "{\"name\": \"narrow\", \"key_fields\": [\"sku\"], \"fields\": {\"sku\": \"VARCHAR\", \"label\": \"INT\"}}");
        rest.post(REGIONS, "{\"name\": \"items_rt\", \"cache_strategy\": \"READ_THROUGH\"}");
        List<String> before = sourceNames();

        assertProblem(rest.post(SOURCES, source("s1", "[\"items\"]", "").replace("postgresql", "oracle")), 400, "source_type");
        assertProblem(rest.post(SOURCES, source("s2", "[\"no_such_region\"]", "")), 400, "target_regions[0]");
        assertProblem(rest.post(SOURCES, source("s3", "[\"ghost\"]", "")), 400, "bindings.ghost.table");
        assertProblem(rest.post(SOURCES, source("s4", "[\"items\"]", "\"bindings\": {\"items\": {\"key_columns\": [\"nope\"]}}")), 400,
                "bindings.items.key_columns[0]");
        assertProblem(rest.post(SOURCES, source("s5", "[\"narrow\"]", "\"bindings\": {\"narrow\": {\"table\": \"items\"}}")), 400,
                "bindings.narrow.mapping.label");
        Rest.Response wrongPassword = rest.post(SOURCES, source("s6", "[\"items\"]", "").replace(pg.password(), "not-the-password"));
        assertProblem(wrongPassword, 400, "connection_params.password");
        assertThat(wrongPassword.body()).doesNotContain("not-the-password");
        assertProblem(rest.post(SOURCES, source("s7", "[\"items\"]", "").replace("\"database\"", "\"databse\"")), 400, null);
        assertProblem(rest.post(SOURCES, source("s8", "[\"items\"]", "\"sync_mode\": \"STREAM\"")), 400, "sync_mode");
        assertProblem(rest.post(SOURCES, source("s9", "[\"items\"]", "\"sync_mode\": \"SOMETIMES\"")), 400, "sync_mode");
        assertProblem(rest.post(SOURCES, source("s10", "[\"items\"]", "\"sync_interval_seconds\": 0")), 400, "sync_interval_seconds");
        assertProblem(rest.post(SOURCES, source("s11", "[\"items\"]", "\"bindings\": {\"other\": {}}")), 400, "bindings.other");
        assertProblem(rest.post(SOURCES, source("s12", "[]", "")), 400, "target_regions");
        assertProblem(rest.post(SOURCES, "{\"source_name\": \"s13\", \"source_type\": \"postgresql\", \"connection_params\": {\"port\": 1}, "
                + "\"target_regions\": [\"items\"]}"), 400, null);
        assertThat(sourceNames()).isEqualTo(before);

        JsonNode invalid = rest.post(SOURCES + "/validate", source("s3", "[\"ghost\"]", "")).json();
        assertThat(invalid.path("valid").asBoolean()).isFalse();
        assertThat(invalid.path("errors").get(0).path("field").asText()).isEqualTo("bindings.ghost.table");
        JsonNode valid = rest.post(SOURCES + "/validate", source("s14", "[\"items\"]", "\"sync_mode\": \"NONE\"")).json();
        assertThat(valid.path("valid").asBoolean()).as(valid.toString()).isTrue();
        assertThat(sourceNames()).isEqualTo(before);
        assertProblem(rest.post(SOURCES + "/nope/sync", ""), 404, null);
    }
}
