package io.dih.server.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingCassandraServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Cassandra sources end to end, through REST, against a real Cassandra 5 node of this class's own (suspended and
 * resumed as an outage in the last test) and a real hub node with a quick write-behind: loads, read-through,
 * write-through, write-behind, and what users get wrong.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CassandraSourceIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final String SOURCES = "/api/v1/dih/data-sources";
    static final String USER = "hub_user";
    static final String PASSWORD = "Cass-Pa55-never-shown";

    static TestingCassandraServer cassandra;
    static TestingHubCluster cluster;
    static Rest rest;

    @BeforeAll
    static void start() {
        cassandra = TestingCassandraServer.start();
        cassandra.createKeyspace("shop");
        cassandra.execute("CREATE ROLE " + USER + " WITH PASSWORD = '" + PASSWORD + "' AND LOGIN = true AND SUPERUSER = true");
        cluster = TestingHubCluster.start(1, t -> t.putObject("sync").putObject("write_behind")
                .put("flush_delay_ms", 50).put("initial_backoff_ms", 100).put("max_backoff_ms", 1000));
        rest = new Rest(cluster.node(0).baseUrl());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (cassandra != null) {
            cassandra.close();
        }
    }

    static String params(Map<String, Object> changes) {
        Map<String, Object> p = new HashMap<>(Map.of("contact_points", "127.0.0.1", "port", cassandra.port(), "local_datacenter",
                cassandra.localDatacenter(), "keyspace", "shop", "username", USER, "password", PASSWORD,
                "connect_timeout_seconds", 2, "request_timeout_seconds", 3));
        p.putAll(changes);
        StringBuilder sb = new StringBuilder("{");
        p.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
                .append(v instanceof Number ? v.toString() : "\"" + v + "\""));
        return sb.append('}').toString();
    }

    static String source(String name, String syncMode, String region, String table, Map<String, Object> paramChanges) {
        return """
                {"source_name": "%s", "source_type": "cassandra", "sync_mode": "%s", "connection_params": %s,
                 "target_regions": ["%s"], "bindings": {"%s": {"table": "%s"}}}"""
                .formatted(name, syncMode, params(paramChanges), region, region, table);
    }

    static void assertProblem(Rest.Response r, int status, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("field").asText()).as(r.toString()).isEqualTo(field);
        assertThat(r.body()).doesNotContain(PASSWORD);
    }

    static List<String> sourceNames() {
        List<String> names = new ArrayList<>();
        rest.get(SOURCES).json().path("sources").forEach(s -> names.add(s.path("source_name").asText()));
        return names;
    }

    static JsonNode writeBehind(String region) {
        Rest.Response r = rest.get(REGIONS + "/" + region + "/write-behind");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    static Row row(String table, long id) {
        return cassandra.execute("SELECT * FROM shop." + table + " WHERE id = ?", id).one();
    }

    @Test
    @Order(1)
    void aTableLoadsByTokenRangesIntoARegion() {
        cassandra.execute("CREATE TABLE shop.customers (id bigint PRIMARY KEY, name text, balance decimal, tags set<text>, "
                + "since timestamp, ip inet)");
        for (long i = 1; i <= 500; i++) {
            cassandra.execute("INSERT INTO shop.customers (id, name, balance, tags, since, ip) VALUES (?, ?, ?, {'a', 'b'}, "
                    + "'2024-01-02T03:04:05Z', '10.0.0.1')", i, "customer-" + i, java.math.BigDecimal.valueOf(i * 15, 1));
        }
        assertThat(rest.post(REGIONS, "{\"name\": \"customers\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        Rest.Response created = rest.post(SOURCES, source("crm", "LOAD", "customers", "customers", Map.of()));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().path("connection_params").path("password").asText()).isEqualTo("******");
        assertThat(created.body()).doesNotContain(PASSWORD);

        JsonNode[] last = new JsonNode[1];
        Await.until(Duration.ofSeconds(60), "crm loads 500 rows into customers", () -> {
            last[0] = rest.get(SOURCES + "/crm/status").json();
            JsonNode r = last[0].path("regions").path("customers");
            if ("FAILED".equals(r.path("state").asText())) {
                throw new AssertionError("load failed: " + last[0]);
            }
            return "IDLE".equals(r.path("state").asText()) && r.path("rows_loaded").asLong() == 500;
        });
        assertThat(last[0].toString()).doesNotContain(PASSWORD);
        JsonNode c = rest.get(REGIONS + "/customers/entries/42").json();
        assertThat(c.path("name").asText()).isEqualTo("customer-42");
        assertThat(c.path("balance").decimalValue()).isEqualByComparingTo("63.0");
        assertThat(c.path("tags").asText()).isEqualTo("[\"a\", \"b\"]");
        assertThat(c.path("since").asText()).isEqualTo("2024-01-02T03:04:05Z");
        assertThat(c.path("ip").asText()).isEqualTo("10.0.0.1");
        assertThat(rest.get(REGIONS + "/customers/stats").json().path("total").path("size").asLong()).isEqualTo(500);
        assertThat(rest.get(SOURCES + "/crm").body()).doesNotContain(PASSWORD);
    }

    @Test
    @Order(2)
    void badRegistrationsAreClear400sAndRegisterNothing() {
        cassandra.execute("CREATE TABLE IF NOT EXISTS shop.items (id bigint PRIMARY KEY, label text)");
        assertThat(rest.post(REGIONS, "{\"name\": \"items\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        List<String> before = sourceNames();

        Rest.Response wrong = rest.post(SOURCES, source("bad1", "LOAD", "items", "items", Map.of("password", "not-" + PASSWORD)));
        assertProblem(wrong, 400, "connection_params.password");
        assertThat(wrong.json().path("detail").asText()).contains(USER, "127.0.0.1:" + cassandra.port());

        int closed = FreePorts.next();
        Rest.Response unreachable = rest.post(SOURCES, source("bad2", "LOAD", "items", "items", Map.of("port", closed)));
        assertProblem(unreachable, 400, "connection_params.contact_points");
        assertThat(unreachable.json().path("detail").asText()).contains("127.0.0.1:" + closed);

        Rest.Response noKeyspace = rest.post(SOURCES, source("bad3", "LOAD", "items", "items", Map.of("keyspace", "no_such_ks")));
        assertProblem(noKeyspace, 400, "connection_params.keyspace");
        assertThat(noKeyspace.json().path("detail").asText()).contains("no_such_ks");

        Rest.Response noTable = rest.post(SOURCES, source("bad4", "LOAD", "items", "no_such_table", Map.of()));
        assertProblem(noTable, 400, "bindings.items.table");
        assertThat(noTable.json().path("detail").asText()).contains("shop.no_such_table");

        assertProblem(rest.post(SOURCES, source("bad5", "LOAD", "items", "items", Map.of("local_datacenter", "dc9"))), 400,
                "connection_params.local_datacenter");
        assertProblem(rest.post(SOURCES, source("bad6", "LOAD", "items", "items", Map.of("consistency", "SOMETIMES"))), 400,
                "connection_params.consistency");
        assertThat(sourceNames()).isEqualTo(before);
        assertThat(rest.get("/api/v1/dih/health").status()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void readThroughAndWriteThroughGoToCassandra() {
        cassandra.execute("CREATE TABLE shop.accounts (id bigint PRIMARY KEY, owner text, balance decimal, ip inet)");
        cassandra.execute("INSERT INTO shop.accounts (id, owner, balance, ip) VALUES (1, 'alice', 100.00, '10.0.0.1')");
        cassandra.execute("INSERT INTO shop.accounts (id, owner, balance) VALUES (2, 'bob', 5.00)");
        assertThat(rest.post(REGIONS, "{\"name\": \"accounts\", \"cache_strategy\": \"WRITE_THROUGH\", \"fields\": {\"id\": \"BIGINT\"}}")
                .status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, source("ledger", "NONE", "accounts", "accounts", Map.of()));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);

        // read-through: nothing was loaded, a miss reads the row by its primary key
        assertThat(rest.get(REGIONS + "/accounts/stats").json().path("total").path("size").asLong()).isZero();
        assertThat(rest.get(REGIONS + "/accounts/entries/1").json().path("owner").asText()).isEqualTo("alice");
        assertThat(rest.get(REGIONS + "/accounts/entries/99").status()).isEqualTo(404);

        // write-through: Cassandra has the row once the hub answers
        assertThat(rest.put(REGIONS + "/accounts/entries/3", "{\"owner\": \"carol\", \"balance\": 30, \"ip\": \"10.0.0.3\"}").status())
                .isEqualTo(201);
        assertThat(row("accounts", 3).getString("owner")).isEqualTo("carol");
        assertThat(row("accounts", 3).getInetAddress("ip").getHostAddress()).isEqualTo("10.0.0.3");
        assertThat(rest.put(REGIONS + "/accounts/entries/1", "{\"owner\": \"alice\", \"balance\": 90}").status()).isEqualTo(200);
        assertThat(row("accounts", 1).getBigDecimal("balance")).isEqualByComparingTo("90");

        // Cassandra's inet column cannot take it: 422, and neither side changes
        Rest.Response rejected = rest.put(REGIONS + "/accounts/entries/2", "{\"owner\": \"bob\", \"balance\": 6, \"ip\": \"not-an-address\"}");
        assertThat(rejected.status()).as(rejected.toString()).isEqualTo(422);
        assertThat(rejected.body()).contains("ip").doesNotContain(PASSWORD);
        assertThat(row("accounts", 2).getBigDecimal("balance")).isEqualByComparingTo("5");
        assertThat(rest.get(REGIONS + "/accounts/entries/2").json().path("balance").decimalValue()).isEqualByComparingTo("5");

        // removal goes through too
        assertThat(rest.delete(REGIONS + "/accounts/entries/3").status()).isEqualTo(204);
        assertThat(row("accounts", 3)).isNull();
    }

    @Test
    @Order(9)
    void writeBehindSurvivesAnOutageAndRefusedRowsBecomeDeadLetters() throws Exception {
        cassandra.execute("CREATE TABLE shop.counters (id bigint PRIMARY KEY, seq bigint, ip inet)");
        assertThat(rest.post(REGIONS, """
                {"name": "counters", "cache_strategy": "WRITE_BEHIND", "fields": {"id": "BIGINT", "seq": "BIGINT", "ip": "VARCHAR"}}""")
                .status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, source("counter_db", "NONE", "counters", "counters", Map.of()));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);

        int keys = 20;
        for (int k = 1; k <= keys; k++) {
            String ip = k == 13 ? "no-ip" : "10.0.0." + k; // Cassandra's inet column cannot take key 13's
            assertThat(rest.put(REGIONS + "/counters/entries/" + k, "{\"seq\": 1, \"ip\": \"" + ip + "\"}").status()).isEqualTo(201);
        }
        Await.until(Duration.ofSeconds(30), "the 19 good rows reach Cassandra and key 13 is a dead letter",
                () -> writeBehind("counters").path("pending").asLong() == 0
                        && cassandra.execute("SELECT count(*) FROM shop.counters").one().getLong(0) == keys - 1);
        JsonNode letters = rest.get(REGIONS + "/counters/dead-letters").json();
        assertThat(letters.path("count").asLong()).as(letters.toString()).isEqualTo(1);
        assertThat(letters.path("dead_letters").get(0).path("key").asText()).isEqualTo("13");
        assertThat(letters.path("dead_letters").get(0).path("error").asText()).contains("ip").doesNotContain(PASSWORD);
        assertThat(row("counters", 13)).isNull();

        // Cassandra goes away: writes are still acknowledged, queued, retried
        cassandra.suspend();
        for (int k = 1; k <= keys; k++) {
            if (k != 13) {
                assertThat(rest.put(REGIONS + "/counters/entries/" + k, "{\"seq\": 2, \"ip\": \"10.0.1." + k + "\"}").status())
                        .as("a write during the outage is acknowledged").isEqualTo(200);
            }
        }
        Await.until(Duration.ofSeconds(30), "the flusher notices the outage",
                () -> "RETRYING".equals(writeBehind("counters").path("state").asText()));
        JsonNode during = writeBehind("counters");
        assertThat(during.path("pending").asLong()).as(during.toString()).isEqualTo(keys - 1);
        assertThat(during.path("retries").asLong()).isPositive();
        assertThat(rest.get(REGIONS + "/counters/entries/7").json().path("seq").asLong()).as("reads are served during the outage").isEqualTo(2);
        assertThat(rest.get("/api/v1/dih/health").status()).isEqualTo(200);

        // it comes back: the queue drains, every acknowledged write is there
        cassandra.resume();
        Await.until(Duration.ofSeconds(90), "the write-behind queue drains after the outage",
                () -> writeBehind("counters").path("pending").asLong() == 0);
        for (int k = 1; k <= keys; k++) {
            if (k != 13) {
                Row r = row("counters", k);
                assertThat(r.getLong("seq")).as("key %d", k).isEqualTo(2);
                assertThat(r.getInetAddress("ip").getHostAddress()).isEqualTo("10.0.1." + k);
            }
        }
        JsonNode after = writeBehind("counters");
        assertThat(after.path("state").asText()).isEqualTo("FLOWING");
        assertThat(after.path("dead_letters").asLong()).isEqualTo(1);
        assertThat(rest.get(SOURCES + "/counter_db/status").json().path("regions").path("counters").path("write_behind").path("pending")
                .asLong()).isZero();
        assertThat(rest.get("/api/v1/dih/metrics").body()).contains("dih_write_behind_pending{");
    }
}
